import type { AppointmentSeen } from "./events.js";
import { hashString } from "../contacts/string-set.js";

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
  readonly #keys = new BookKeys();
  readonly #numbers = new KeyNumbers(this.#keys);
  /** Appointments asked for or changed since the book was read, by number. */
  readonly #open = new Map<number, AppointmentVersions>();
  /**
   * Appointments new since, never asked for: their packed lines, one after another in bytes
   * outside the JavaScript heap (a first tick's million appointments are not a million objects the
   * garbage collector walks).
   */
  #fresh = new FreshLines(0);
  /** Whether an appointment new to the book is kept as its packed line (`packNew`), else as an object. */
  #packNew = false;
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
    return this.#keys.at(number);
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
    const text = this.#fresh.take(number) ?? this.#bytes.toString("utf8", this.#starts[number], this.#starts[number + 1]! - 1);
    const [row, appointmentAt, zone, to, from, cells, left, rereadFrom, earlier] = JSON.parse(text) as Packed;
    const latest: AppointmentVersions["latest"] = { row, key: this.#keys.at(number), appointmentAt, zone, to, from };
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
    if (this.#fresh.has(number)) return false; // new: no earlier time
    // A packed line ends `…,[]]` when its earlier times are none.
    const end = this.#starts[number + 1]! - 1;
    const bytes = this.#bytes;
    return !(bytes[end - 3] === 0x5b && bytes[end - 2] === 0x5d && bytes[end - 1] === 0x5d);
  }

  /** Every key, in order. */
  *keys(): Generator<string> {
    for (let number = 0; number < this.#keys.length; number++) yield this.#keys.at(number);
  }

  /** Every appointment, unpacked (a reader of all of them: the report, a whole reading). */
  *entries(): Generator<[string, AppointmentVersions]> {
    for (let number = 0; number < this.#keys.length; number++) yield [this.#keys.at(number), this.at(number)];
  }

  [Symbol.iterator](): Generator<[string, AppointmentVersions]> {
    return this.entries();
  }

  /**
   * From now on, keep an appointment new to the book as its packed line, not as an object: a plan
   * that records every appointment of its export (a first tick) asks for none of them again. (One
   * read from the ledger is asked for by the plan that follows: an object.)
   */
  packNew(): void {
    this.#packNew = true;
  }

  /** A key's new version: the time it had before joins its earlier ones. Returns the appointment's number. */
  fold(event: AppointmentSeen): number {
    const { t: _t, at: _at, ...latest } = event;
    const number = this.#numbers.get(event.key);
    if (number === undefined) {
      const added = this.#keys.length;
      if (this.#packNew) this.#fresh.add(added, packedLine({ latest, earlier: [] }));
      else this.#open.set(added, { latest, earlier: [] });
      this.#keys.push(event.key);
      this.#numbers.add(added);
      return added;
    }
    const known = this.at(number);
    const previous = known.latest.appointmentAt;
    if (previous !== latest.appointmentAt && !known.earlier.includes(previous)) known.earlier.push(previous);
    known.earlier = known.earlier.filter((time) => time !== latest.appointmentAt);
    known.latest = latest;
    return number;
  }

  /**
   * The book as a checkpoint keeps it, in number order: the keys (beside the rest of the
   * checkpoint), where each line starts, and the lines as parts to be written one after another
   * (those never asked for are the bytes they were read or packed into, not copies: at a million
   * appointments the lines are ~110 MB, and each copy was that much more memory at the peak).
   */
  pack(): { keys: string | string[]; starts: Float64Array; lines: Buffer[] } {
    const parts = new Parts();
    const starts = new Float64Array(this.#keys.length + 1);
    let length = 0;
    // Lines of appointments changed since are gathered as text, a buffer made of every 64 KiB of it.
    let text = "";
    const flush = () => {
      if (text !== "") parts.push(Buffer.from(text));
      text = "";
    };
    for (let number = 0; number < this.#keys.length; number++) {
      const open = this.#open.get(number);
      if (open !== undefined) {
        const line = packedLine(open);
        text += line;
        length += Buffer.byteLength(line);
        if (text.length > 1 << 16) flush();
      } else {
        flush();
        const bytes = this.#fresh.line(number) ?? this.#bytes.subarray(this.#starts[number], this.#starts[number + 1]);
        parts.push(bytes);
        length += bytes.length;
      }
      starts[number + 1] = length;
    }
    flush();
    return { keys: this.#keys.packed(), starts, lines: parts.done() };
  }

  /** The book a checkpoint packed; undefined when its parts do not agree (the checkpoint is then not used). */
  static unpack(keys: string | readonly string[], starts: Float64Array, lines: Buffer): AppointmentBook | undefined {
    const book = new AppointmentBook();
    if (typeof keys === "string") book.#keys.unpack(keys);
    else for (const key of keys) book.#keys.push(key);
    const count = book.#keys.length;
    if (starts.length !== count + 1 || starts[0] !== 0 || starts[count] !== lines.length) return undefined;
    if (count > 0 && lines[lines.length - 1] !== LF) return undefined;
    book.#bytes = lines;
    book.#starts = starts;
    book.#fresh = new FreshLines(count);
    for (let number = 0; number < count; number++) {
      if (book.#numbers.find(number) !== undefined) return undefined; // a key twice
      book.#numbers.add(number);
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

/** Buffers to be written one after another, each run of adjacent bytes of one buffer kept as one part. */
class Parts {
  readonly #done: Buffer[] = [];
  #run: Buffer | undefined;

  push(bytes: Buffer): void {
    const run = this.#run;
    if (run !== undefined && run.buffer === bytes.buffer && run.byteOffset + run.length === bytes.byteOffset)
      this.#run = Buffer.from(run.buffer, run.byteOffset, run.length + bytes.length);
    else {
      if (run !== undefined) this.#done.push(run);
      this.#run = bytes;
    }
  }

  done(): Buffer[] {
    if (this.#run !== undefined) this.#done.push(this.#run);
    this.#run = undefined;
    return this.#done;
  }
}

/**
 * Lines of new appointments (numbers from `base` on), one after another in slabs of a fixed size
 * (a line never spans two): a first tick over a million appointments packs ~120 MB of them, and a
 * buffer grown by doubling held up to twice that — and both sizes at once while it copied.
 */
class FreshLines {
  readonly #base: number;
  readonly #slabs: Buffer[] = [];
  /** Bytes used in the last slab. */
  #used = SLAB_BYTES;
  /** By number − base: where its line starts (slab × SLAB_BYTES + offset; -1: none, or taken), and its length. */
  #starts: Float64Array = new Float64Array(1024).fill(-1);
  #lengths: Uint32Array = new Uint32Array(1024);

  constructor(base: number) {
    this.#base = base;
  }

  add(number: number, line: string): void {
    const at = number - this.#base;
    const bytes = Buffer.byteLength(line);
    if (this.#used + bytes > SLAB_BYTES) {
      this.#slabs.push(Buffer.allocUnsafe(Math.max(SLAB_BYTES, bytes)));
      this.#used = 0;
    }
    while (at >= this.#starts.length) {
      this.#starts = grownNumbers(this.#starts);
      const lengths = new Uint32Array(this.#lengths.length * 2);
      lengths.set(this.#lengths);
      this.#lengths = lengths;
    }
    const slab = this.#slabs.length - 1;
    this.#slabs[slab]!.write(line, this.#used);
    this.#starts[at] = slab * SLAB_BYTES + this.#used;
    this.#lengths[at] = bytes;
    this.#used += bytes;
  }

  has(number: number): boolean {
    const at = number - this.#base;
    return at >= 0 && at < this.#starts.length && this.#starts[at]! >= 0;
  }

  /** The line's bytes (for a checkpoint), if the number is one of these. */
  line(number: number): Buffer | undefined {
    if (!this.has(number)) return undefined;
    const at = number - this.#base;
    const start = this.#starts[at]!;
    const slab = Math.floor(start / SLAB_BYTES);
    const offset = start - slab * SLAB_BYTES;
    return this.#slabs[slab]!.subarray(offset, offset + this.#lengths[at]!);
  }

  /** The line as text, no longer one of these (its appointment becomes an object). */
  take(number: number): string | undefined {
    const line = this.line(number);
    if (line === undefined) return undefined;
    this.#starts[number - this.#base] = -1;
    return line.toString();
  }
}

/** The size of `FreshLines`' slabs (a line longer than that has a slab of its own). */
const SLAB_BYTES = 4 << 20;

function grownNumbers(numbers: Float64Array): Float64Array {
  const bigger = new Float64Array(numbers.length * 2).fill(-1);
  bigger.set(numbers);
  return bigger;
}

/** How many keys a checkpoint's keys hold: one a line of the text (none in an empty one), or the list's. */
export function keyCount(keys: string | readonly string[]): number {
  if (typeof keys !== "string") return keys.length;
  if (keys === "") return 0;
  let count = 1;
  for (let at = keys.indexOf("\n"); at >= 0; at = keys.indexOf("\n", at + 1)) count++;
  return count;
}

/** An appointment as a checkpoint packs it: one line. */
function packedLine({ latest, earlier }: AppointmentVersions): string {
  const { row, appointmentAt, zone, to, from, cells, left, rereadFrom } = latest;
  const packed: Packed = [row, appointmentAt, zone, to, from, cells ?? null, left ?? null, rereadFrom ?? null, earlier];
  return `${JSON.stringify(packed)}\n`;
}

/**
 * The book's keys by number: those a checkpoint packed kept as its one text (a key a line), a key
 * sliced from it only when asked for (a million keys as strings would be ~40 MB more); the
 * appointments met since as strings.
 */
class BookKeys {
  #text = "";
  /** Where each packed key ends in `#text` (the next starts one past it). */
  #ends = new Int32Array(0);
  readonly #added: string[] = [];

  get length(): number {
    return this.#ends.length + this.#added.length;
  }

  at(number: number): string {
    const packed = this.#ends.length;
    return number < packed ? this.#text.slice(this.#start(number), this.#ends[number]) : this.#added[number - packed]!;
  }

  /** Is key `number` this key? (No string made for a packed one.) */
  is(number: number, key: string): boolean {
    const packed = this.#ends.length;
    if (number >= packed) return this.#added[number - packed] === key;
    const start = this.#start(number);
    return this.#ends[number]! - start === key.length && this.#text.startsWith(key, start);
  }

  hash(number: number): number {
    const packed = this.#ends.length;
    if (number >= packed) return hashString(this.#added[number - packed]!, 0, this.#added[number - packed]!.length);
    return hashString(this.#text, this.#start(number), this.#ends[number]!);
  }

  push(key: string): void {
    this.#added.push(key);
  }

  /** The keys a checkpoint packed as one text. */
  unpack(text: string): void {
    if (text === "") return;
    const ends = new Int32Array(keyCount(text));
    let n = 0;
    for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) ends[n++] = at;
    ends[n] = text.length;
    [this.#text, this.#ends] = [text, ends];
  }

  /** Every key, as a checkpoint keeps them: one text (a key a line), or a list if a key holds a line break. */
  packed(): string | string[] {
    if (this.#added.some((key) => key.includes("\n"))) return Array.from({ length: this.length }, (_, n) => this.at(n));
    if (this.#ends.length === 0) return this.#added.join("\n");
    return this.#added.length === 0 ? this.#text : `${this.#text}\n${this.#added.join("\n")}`;
  }

  #start(number: number): number {
    return number === 0 ? 0 : this.#ends[number - 1]! + 1;
  }
}

/**
 * Key → number over the book's own keys: an open-addressing table of numbers (a JavaScript Map of
 * a million strings costs several times the time to build, and its entries' memory).
 */
class KeyNumbers {
  readonly #keys: BookKeys;
  #table = new Int32Array(64).fill(-1);

  constructor(keys: BookKeys) {
    this.#keys = keys;
  }

  get(key: string): number | undefined {
    const mask = this.#table.length - 1;
    for (let slot = hashString(key, 0, key.length) & mask; ; slot = (slot + 1) & mask) {
      const number = this.#table[slot]!;
      if (number < 0) return undefined;
      if (this.#keys.is(number, key)) return number;
    }
  }

  /** Another number with key `number`'s key, if the table has one (not `number` itself: it is not in it yet). */
  find(number: number): number | undefined {
    const mask = this.#table.length - 1;
    const hash = this.#keys.hash(number);
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const other = this.#table[slot]!;
      if (other < 0) return undefined;
      if (this.#keys.hash(other) === hash && this.#keys.at(other) === this.#keys.at(number)) return other;
    }
  }

  /** Number `number`, whose key is `keys.at(number)` (not in the table yet). */
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
    let slot = this.#keys.hash(number) & mask;
    while (table[slot]! >= 0) slot = (slot + 1) & mask;
    table[slot] = number;
  }
}
