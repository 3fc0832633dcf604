/**
 * Execution SID → a number, compact: a million SIDs in ~40 MB instead of a Map's ~150. An
 * Execution SID is `FN` + 32 hex digits: its 128 bits are the key, as four 32-bit words. Open
 * addressing, grown at half full. Any other string goes into an ordinary Map.
 */
export class SidTable {
  #words = new Uint32Array(4 << 16);
  /** The value + 1 per slot; 0 marks an empty slot. */
  #values = new Int32Array(1 << 16);
  #size = 0;
  readonly #others = new Map<string, number>();
  readonly #key = new Uint32Array(4);

  set(sid: string, value: number): void {
    if (!this.#parse(sid)) return void this.#others.set(sid, value);
    this.#set(value);
  }

  get(sid: string): number | undefined {
    if (!this.#parse(sid)) return this.#others.get(sid);
    return this.#get();
  }

  /** `set` for the SID whose text starts at `at` in `buf` (up to its closing quote): no string made for an Execution SID. */
  setAt(buf: Buffer, at: number, value: number): void {
    if (!this.#parseAt(buf, at)) return void this.#others.set(sidText(buf, at), value);
    this.#set(value);
  }

  getAt(buf: Buffer, at: number): number | undefined {
    if (!this.#parseAt(buf, at)) return this.#others.get(sidText(buf, at));
    return this.#get();
  }

  #set(value: number): void {
    if ((this.#size + 1) * 2 > this.#values.length) this.#grow();
    this.#put(this.#key, value);
  }

  #get(): number | undefined {
    const slot = this.#find(this.#key);
    return this.#values[slot] === 0 ? undefined : this.#values[slot]! - 1;
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  #find(key: Uint32Array): number {
    const mask = this.#values.length - 1;
    for (let slot = hash(key) & mask; ; slot = (slot + 1) & mask) {
      if (this.#values[slot] === 0) return slot;
      const at = slot * 4;
      const w = this.#words;
      if (w[at] === key[0] && w[at + 1] === key[1] && w[at + 2] === key[2] && w[at + 3] === key[3]) return slot;
    }
  }

  #put(key: Uint32Array, value: number): void {
    const slot = this.#find(key);
    if (this.#values[slot] === 0) this.#size++;
    this.#words.set(key, slot * 4);
    this.#values[slot] = value + 1;
  }

  #grow(): void {
    const [words, values] = [this.#words, this.#values];
    this.#words = new Uint32Array(words.length * 2);
    this.#values = new Int32Array(values.length * 2);
    this.#size = 0;
    for (let slot = 0; slot < values.length; slot++)
      if (values[slot] !== 0) this.#put(words.subarray(slot * 4, slot * 4 + 4), values[slot]! - 1);
  }

  /** The SID's 32 hex digits into `#key`; false for another string. */
  #parse(sid: string): boolean {
    if (!EXECUTION_SID.test(sid)) return false;
    for (let i = 0; i < 4; i++) this.#key[i] = Number.parseInt(sid.slice(2 + i * 8, 10 + i * 8), 16);
    return true;
  }

  /** The same, from bytes: `FN`, 32 hex digits, then the closing quote. */
  #parseAt(buf: Buffer, at: number): boolean {
    if (buf[at] !== 0x46 || buf[at + 1] !== 0x4e || buf[at + 34] !== 0x22) return false; // "F", "N", '"'
    for (let word = 0; word < 4; word++) {
      let value = 0;
      for (let i = 0; i < 8; i++) {
        const digit = hexDigit(buf[at + 2 + word * 8 + i]!);
        if (digit < 0) return false;
        value = value * 16 + digit;
      }
      this.#key[word] = value;
    }
    return true;
  }
}

function hexDigit(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  if (byte >= 97 && byte <= 102) return byte - 87;
  if (byte >= 65 && byte <= 70) return byte - 55;
  return -1;
}

/** The SID at `at` as text, up to its closing quote. */
function sidText(buf: Buffer, at: number): string {
  const close = buf.indexOf(0x22, at);
  return buf.toString("utf8", at, close === -1 ? buf.length : close);
}

const EXECUTION_SID = /^FN[0-9a-fA-F]{32}$/;

function hash(key: Uint32Array): number {
  let h = Math.imul(key[0]! ^ Math.imul(key[1]!, 0x9e3779b1), 0x85ebca6b) ^ key[2]! ^ Math.imul(key[3]!, 0xc2b2ae35);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
