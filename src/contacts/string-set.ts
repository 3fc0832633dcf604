/** FNV-1a over a string's UTF-16 code units [from, to): one hash for the compact tables of keys. */
export function hashString(text: string, from = 0, to = text.length): number {
  let hash = 0x811c9dc5;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * A set of strings kept compact: the strings once, in an array, and an open-addressing table of
 * their places (a JavaScript Set of a million fresh strings costs several times the time to fill,
 * and more memory): the appointment keys a reading of an export has met.
 */
export class StringSet {
  readonly #keys: string[] = [];
  #table = new Int32Array(64).fill(-1);

  get size(): number {
    return this.#keys.length;
  }

  has(key: string): boolean {
    return this.#find(key) >= 0;
  }

  /** Adds the key; false when it was already there. */
  add(key: string): boolean {
    if (this.#find(key) >= 0) return false;
    this.#keys.push(key);
    if (this.#keys.length * 2 > this.#table.length) this.#grow();
    else this.#place(this.#table, this.#keys.length - 1);
    return true;
  }

  #find(key: string): number {
    const mask = this.#table.length - 1;
    for (let slot = hashString(key) & mask; ; slot = (slot + 1) & mask) {
      const at = this.#table[slot]!;
      if (at < 0 || this.#keys[at] === key) return at;
    }
  }

  #grow(): void {
    const table = new Int32Array(this.#table.length * 2).fill(-1);
    for (let at = 0; at < this.#keys.length; at++) this.#place(table, at);
    this.#table = table;
  }

  #place(table: Int32Array, at: number): void {
    const mask = table.length - 1;
    let slot = hashString(this.#keys[at]!) & mask;
    while (table[slot]! >= 0) slot = (slot + 1) & mask;
    table[slot] = at;
  }
}
