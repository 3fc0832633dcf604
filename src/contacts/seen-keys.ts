/**
 * The contact keys seen so far in a file, for duplicate detection, kept compact: a run may
 * meet a million contacts. A key whose From is the campaign's sender and whose To is a plain
 * E.164 number (the common case) is stored as that number's digits in an open-addressing
 * table of doubles (E.164 has at most 15 digits: exact in a double), 16 bytes per contact at
 * most. Any other key (per-row From, `whatsapp:`) goes into an ordinary Set of strings.
 */
export class SeenKeys {
  readonly #defaultFrom: string;
  readonly #others = new Set<string>();
  // Small to start (a checkpoint holds the table: its size follows the contacts), doubled as it fills.
  #table: Float64Array = new Float64Array(1 << 6);
  #size = 0;

  constructor(defaultFrom: string) {
    this.#defaultFrom = defaultFrom;
  }

  /** Adds the key; returns false when it was already there. */
  add(to: string, from: string): boolean {
    if (from === this.#defaultFrom && /^\+\d{1,15}$/.test(to)) return this.#addNumber(Number(to.slice(1)));
    const key = `${to}|${from}`;
    if (this.#others.has(key)) return false;
    this.#others.add(key);
    return true;
  }

  /** Take a key back (backward-shift deletion: every other key stays findable). */
  delete(to: string, from: string): void {
    if (!(from === this.#defaultFrom && /^\+\d{1,15}$/.test(to))) {
      this.#others.delete(`${to}|${from}`);
      return;
    }
    const value = Number(to.slice(1));
    const table = this.#table;
    const mask = table.length - 1;
    let hole = hash(value) & mask;
    while (table[hole] !== value) {
      if (table[hole] === 0) return; // not there
      hole = (hole + 1) & mask;
    }
    table[hole] = 0;
    this.#size--;
    // Move back every later key of the cluster whose home slot does not lie after the hole.
    for (let slot = (hole + 1) & mask; table[slot] !== 0; slot = (slot + 1) & mask) {
      const home = hash(table[slot]!) & mask;
      const reachable = hole <= slot ? home > hole && home <= slot : home > hole || home <= slot;
      if (reachable) continue;
      table[hole] = table[slot]!;
      table[slot] = 0;
      hole = slot;
    }
  }

  /** A copy that grows on its own. */
  clone(): SeenKeys {
    return SeenKeys.restore(this.snapshot());
  }

  /** Is the key there? */
  has(to: string, from: string): boolean {
    if (from === this.#defaultFrom && /^\+\d{1,15}$/.test(to)) return this.#findNumber(Number(to.slice(1)));
    return this.#others.has(`${to}|${from}`);
  }

  /** Its content, to be saved (a checkpoint) and loaded again with `SeenKeys.restore`. */
  snapshot(): { defaultFrom: string; table: Float64Array; size: number; others: string[] } {
    return { defaultFrom: this.#defaultFrom, table: this.#table, size: this.#size, others: [...this.#others] };
  }

  /** `adopt`: take `table` as is (its owner gives it up) instead of copying it. */
  static restore(
    saved: { defaultFrom: string; table: Float64Array; size: number; others: readonly string[] },
    options: { adopt?: boolean } = {},
  ): SeenKeys {
    const keys = new SeenKeys(saved.defaultFrom);
    if (saved.table.length > 0 && (saved.table.length & (saved.table.length - 1)) === 0) {
      keys.#table = options.adopt ? saved.table : saved.table.slice(); // a copy: the restored set grows on its own
      keys.#size = saved.size;
    } else {
      for (const value of saved.table) if (value !== 0) keys.#addNumber(value);
    }
    for (const key of saved.others) keys.#others.add(key);
    return keys;
  }

  get size(): number {
    return this.#size + this.#others.size;
  }

  // E.164 numbers are ≥ 1, so 0 marks an empty slot.
  #addNumber(value: number): boolean {
    if ((this.#size + 1) * 2 > this.#table.length) this.#grow();
    const mask = this.#table.length - 1;
    for (let slot = hash(value) & mask; ; slot = (slot + 1) & mask) {
      const current = this.#table[slot];
      if (current === value) return false;
      if (current === 0) {
        this.#table[slot] = value;
        this.#size++;
        return true;
      }
    }
  }

  #findNumber(value: number): boolean {
    const mask = this.#table.length - 1;
    for (let slot = hash(value) & mask; ; slot = (slot + 1) & mask) {
      const current = this.#table[slot];
      if (current === value) return true;
      if (current === 0) return false;
    }
  }

  #grow(): void {
    const old = this.#table;
    this.#table = new Float64Array(old.length * 2);
    this.#size = 0;
    for (const value of old) if (value !== 0) this.#addNumber(value);
  }
}

/** Mixes the low and high parts of the number (up to 15 digits) into 32 bits. */
function hash(value: number): number {
  const low = value % 4294967296;
  const high = Math.floor(value / 4294967296);
  let h = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
