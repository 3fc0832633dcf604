import type { AppointmentSeen } from "./events.js";

/** A standing campaign's appointment as the ledger knows it (docs/reference.md §16): its latest version, and the times it had before. */
export interface AppointmentVersions {
  latest: Omit<AppointmentSeen, "t" | "at">;
  /** Earlier appointment times of the key (ISO 8601 UTC), oldest first: their reminders with an Execution stay in the report. */
  earlier: string[];
}

/** One appointment as a checkpoint packs it (its key apart): row, time, zone, to, from, cells, left, rereadFrom, earlier times. */
type Packed = [number, string, string, string, string, string | null, string | null, string | null, string[]];

const LF = 0x0a;

/**
 * A standing campaign's appointments (docs/reference.md §16), kept compact: a health system's book
 * is in the millions, and a tick after a re-export asks about the few that changed. Each
 * appointment has a number, its place in the order the ledger first named it (stable from tick to
 * tick: the ledger only grows); those a checkpoint held stay as its bytes — a line each — until
 * one is asked for, and every appointment folded since is an object. The one place an
 * appointment's versions change (`fold`).
 */
export class AppointmentBook {
  readonly #keys: string[] = [];
  readonly #numbers = new KeyNumbers(this.#keys);
  /** Appointments asked for or folded since the book was read, by number. */
  readonly #open = new Map<number, AppointmentVersions>();
  /** The packed lines, and where each starts (by number; the last entry is the end): the first `#starts.length - 1` appointments. */
  #bytes: Buffer = Buffer.alloc(0);
  #starts: Float64Array = new Float64Array(1);

  get size(): number {
    return this.#keys.length;
  }

  /** An appointment's number (undefined: the ledger never named it). */
  numberOf(key: string): number | undefined {
    return this.#numbers.get(key);
  }

  keyOf(number: number): string {
    return this.#keys[number]!;
  }

  has(key: string): boolean {
    return this.#numbers.get(key) !== undefined;
  }

  get(key: string): AppointmentVersions | undefined {
    const number = this.#numbers.get(key);
    return number === undefined ? undefined : this.at(number);
  }

  /** The appointment's versions by number (an object the caller may read; `fold` changes it). */
  at(number: number): AppointmentVersions {
    const open = this.#open.get(number);
    if (open !== undefined) return open;
    const [row, appointmentAt, zone, to, from, cells, left, rereadFrom, earlier] = JSON.parse(
      this.#bytes.toString("utf8", this.#starts[number], this.#starts[number + 1]! - 1),
    ) as Packed;
    const latest: AppointmentVersions["latest"] = { row, key: this.#keys[number]!, appointmentAt, zone, to, from };
    if (cells !== null) latest.cells = cells;
    if (left !== null) latest.left = left;
    if (rereadFrom !== null) latest.rereadFrom = rereadFrom;
    const versions = { latest, earlier };
    this.#open.set(number, versions);
    return versions;
  }

  /** Whether the appointment had other times before its latest (a packed one is not unpacked to tell). */
  hasEarlier(number: number): boolean {
    const open = this.#open.get(number);
    if (open !== undefined) return open.earlier.length > 0;
    // A packed line ends `…,[]]` when its earlier times are none.
    const end = this.#starts[number + 1]! - 1;
    const bytes = this.#bytes;
    return !(bytes[end - 3] === 0x5b && bytes[end - 2] === 0x5d && bytes[end - 1] === 0x5d);
  }

  /** Every key, in order. */
  keys(): IterableIterator<string> {
    return this.#keys.values();
  }

  /** Every appointment, unpacked (a reader of all of them: the report, a whole reading). */
  *entries(): Generator<[string, AppointmentVersions]> {
    for (let number = 0; number < this.#keys.length; number++) yield [this.#keys[number]!, this.at(number)];
  }

  [Symbol.iterator](): Generator<[string, AppointmentVersions]> {
    return this.entries();
  }

  /** A key's new version: the time it had before joins its earlier ones. */
  fold(event: AppointmentSeen): void {
    const { t: _t, at: _at, ...latest } = event;
    const known = this.get(event.key);
    if (!known) {
      this.#open.set(this.#keys.length, { latest, earlier: [] });
      this.#keys.push(event.key);
      this.#numbers.add(this.#keys.length - 1);
      return;
    }
    const previous = known.latest.appointmentAt;
    if (previous !== latest.appointmentAt && !known.earlier.includes(previous)) known.earlier.push(previous);
    known.earlier = known.earlier.filter((time) => time !== latest.appointmentAt);
    known.latest = latest;
  }

  /**
   * The book as a checkpoint keeps it, in number order: the keys (beside the rest of the
   * checkpoint), where each line starts, and the lines (those never asked for copied as read).
   */
  pack(): { keys: string[]; starts: Float64Array; lines: Buffer } {
    const parts: Buffer[] = [];
    const starts = new Float64Array(this.#keys.length + 1);
    let length = 0;
    for (let number = 0; number < this.#keys.length; number++) {
      const part = this.#line(number);
      parts.push(part);
      length += part.length;
      starts[number + 1] = length;
    }
    return { keys: this.#keys, starts, lines: Buffer.concat(parts, length) };
  }

  #line(number: number): Buffer {
    const open = this.#open.get(number);
    if (open === undefined) return this.#bytes.subarray(this.#starts[number], this.#starts[number + 1]);
    const { row, appointmentAt, zone, to, from, cells, left, rereadFrom } = open.latest;
    const packed: Packed = [row, appointmentAt, zone, to, from, cells ?? null, left ?? null, rereadFrom ?? null, open.earlier];
    return Buffer.from(`${JSON.stringify(packed)}\n`);
  }

  /** The book a checkpoint packed; undefined when its parts do not agree (the checkpoint is then not used). */
  static unpack(keys: readonly string[], starts: Float64Array, lines: Buffer): AppointmentBook | undefined {
    if (starts.length !== keys.length + 1 || starts[0] !== 0 || starts[keys.length] !== lines.length) return undefined;
    if (keys.length > 0 && lines[lines.length - 1] !== LF) return undefined;
    const book = new AppointmentBook();
    book.#bytes = lines;
    book.#starts = starts;
    for (const key of keys) {
      if (book.#numbers.get(key) !== undefined) return undefined; // a key twice
      book.#keys.push(key);
      book.#numbers.add(book.#keys.length - 1);
    }
    return book;
  }

  /** A book of these appointments (a checkpoint of the earlier shape), numbered in their order. */
  static of(entries: Iterable<[string, AppointmentVersions]>): AppointmentBook {
    const book = new AppointmentBook();
    for (const [key, versions] of entries) {
      book.#open.set(book.#keys.length, versions);
      book.#keys.push(key);
      book.#numbers.add(book.#keys.length - 1);
    }
    return book;
  }
}

/**
 * Key → number over the book's own keys: an open-addressing table of numbers (a JavaScript Map of
 * a million strings costs several times the time to build, and its entries' memory).
 */
class KeyNumbers {
  readonly #keys: readonly string[];
  #table = new Int32Array(64).fill(-1);

  constructor(keys: readonly string[]) {
    this.#keys = keys;
  }

  get(key: string): number | undefined {
    const mask = this.#table.length - 1;
    for (let slot = hashOf(key) & mask; ; slot = (slot + 1) & mask) {
      const number = this.#table[slot]!;
      if (number < 0) return undefined;
      if (this.#keys[number] === key) return number;
    }
  }

  /** Number `number`, whose key is `keys[number]` (not in the table yet). */
  add(number: number): void {
    if ((number + 1) * 2 > this.#table.length) return this.#grow(number);
    this.#place(this.#table, number);
  }

  #grow(upTo: number): void {
    let size = this.#table.length;
    while ((upTo + 1) * 2 > size) size *= 2;
    const table = new Int32Array(size).fill(-1);
    for (let number = 0; number <= upTo; number++) this.#place(table, number);
    this.#table = table;
  }

  #place(table: Int32Array, number: number): void {
    const mask = table.length - 1;
    let slot = hashOf(this.#keys[number]!) & mask;
    while (table[slot]! >= 0) slot = (slot + 1) & mask;
    table[slot] = number;
  }
}

/** FNV-1a over a string's UTF-16 code units. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
