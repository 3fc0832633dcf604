import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

/**
 * The data records of a contacts file as bytes, without parsing them: where each starts, the
 * lines before it, and a 53-bit hash of its bytes (its line break excluded). A standing tick
 * compares a re-export with the last one by these hashes, and parses only the records that
 * changed (docs/reference.md §16). Row `r` is index `r - 1`, as the parser numbers records.
 */
export interface RawRecords {
  /** Where the first data record may start (past the header's line break), and the lines before it. */
  header: { end: number; lines: number; hash: number };
  count: number;
  start: Float64Array;
  /** Line breaks before the record starts (a resume point's `lines`). */
  lines: Float64Array;
  hash: Float64Array;
  /** The whole file's SHA-256 (hex), as read: what the records were split from. */
  sha256: string;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const CHUNK = 1 << 20;

/**
 * Split a file (an ASCII-compatible encoding: UTF-8 or a single-byte code page) into records as
 * csv-parse reads it with RFC 4180 quoting: a line break inside a quoted field belongs to it,
 * `""` is a quote, a line with nothing on it is no record. Undefined when any record is not of
 * that shape (a quote inside an unquoted field, a quote not closed): the caller then parses the
 * whole file, and never relies on a split the parser would not make.
 */
export async function scanRecords(file: string, delimiter: string, expected = 1024): Promise<RawRecords | undefined> {
  const scanner = new RecordScanner(delimiter.charCodeAt(0), expected);
  const handle = await open(file, "r");
  const sha256 = createHash("sha256");
  try {
    const buffer = Buffer.alloc(CHUNK);
    for (let position = 0; ;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      if (bytesRead === 0) break;
      sha256.update(buffer.subarray(0, bytesRead));
      // A UTF-8 byte order mark is not the header's first name (the parser drops it too).
      const from = position === 0 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
      if (!scanner.feed(buffer, from, bytesRead, position)) return undefined;
      position += bytesRead;
    }
    const records = scanner.finish();
    return records && { ...records, sha256: sha256.digest("hex") };
  } finally {
    await handle.close();
  }
}

/** The byte-at-a-time state of `scanRecords`: one record's bytes, quotes and hash at a time. */
class RecordScanner {
  readonly #delimiter: number;
  #header: RawRecords["header"] | undefined;
  #count = 0;
  #start: Float64Array;
  #lines: Float64Array;
  #hash: Float64Array;
  #linesSoFar = 0;
  // The record being read: where it started, whether it holds more than `\r`, and its two hashes.
  #recordStart = -1;
  #recordLines = 0;
  #content = false;
  #h1 = 0x811c9dc5;
  #h2 = 0x9747b28c;
  #fieldStart = true;
  #quoted = false;
  /** Inside a quoted field, the last byte was a quote: `""` (a quote) or the field's end. */
  #quoteSeen = false;

  /** `expected`: about how many records (room for them from the start: no copy as they come). */
  constructor(delimiter: number, expected: number) {
    this.#delimiter = delimiter;
    const room = Math.max(1024, Math.ceil(expected * 1.05));
    [this.#start, this.#lines, this.#hash] = [new Float64Array(room), new Float64Array(room), new Float64Array(room)];
  }

  feed(chunk: Buffer, from: number, to: number, offset: number): boolean {
    let nextQuote = -2; // not looked for yet; -1: none left in the chunk
    for (let i = from; i < to; i++) {
      // A whole line with no quote on it, from a record's start: hashed in one tight loop.
      if (this.#recordStart < 0 && !this.#quoted) {
        const lf = chunk.indexOf(LF, i);
        if (nextQuote !== -1 && nextQuote < i) nextQuote = chunk.indexOf(QUOTE, i);
        if (lf !== -1 && lf < to && (nextQuote === -1 || nextQuote > lf)) {
          this.#plainLine(chunk, i, lf, offset);
          i = lf;
          continue;
        }
      }
      const byte = chunk[i]!;
      if (byte === LF && (!this.#quoted || this.#quoteSeen)) {
        this.#quoted = this.#quoteSeen = false;
        this.#end(offset + i + 1);
        this.#linesSoFar++;
        continue;
      }
      if (this.#recordStart < 0) {
        this.#recordStart = offset + i;
        this.#recordLines = this.#linesSoFar;
      }
      this.#h1 = Math.imul(this.#h1 ^ byte, 0x01000193);
      this.#h2 = Math.imul(this.#h2 ^ byte, 0x5bd1e995);
      this.#h2 ^= this.#h2 >>> 15;
      if (byte !== CR) this.#content = true;
      if (!this.#byte(byte)) return false;
      if (byte === LF) this.#linesSoFar++; // inside quotes
    }
    return true;
  }

  /** A line [from, lf) without quotes, and its line break: one record (or an empty line). */
  #plainLine(chunk: Buffer, from: number, lf: number, offset: number): void {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    let content = false;
    for (let i = from; i < lf; i++) {
      const byte = chunk[i]!;
      h1 = Math.imul(h1 ^ byte, 0x01000193);
      h2 = Math.imul(h2 ^ byte, 0x5bd1e995);
      h2 ^= h2 >>> 15;
      if (byte !== CR) content = true;
    }
    if (lf > from) {
      this.#recordStart = offset + from;
      this.#recordLines = this.#linesSoFar;
      [this.#h1, this.#h2, this.#content] = [h1, h2, content];
    }
    this.#end(offset + lf + 1);
    this.#linesSoFar++;
  }

  /** The quoting rules for one byte; false when the record is not of RFC 4180's shape. */
  #byte(byte: number): boolean {
    if (this.#quoted) {
      if (!this.#quoteSeen) {
        if (byte === QUOTE) this.#quoteSeen = true;
        return true;
      }
      this.#quoteSeen = false;
      if (byte === QUOTE) return true; // `""`
      this.#quoted = false;
      if (byte === this.#delimiter) return (this.#fieldStart = true);
      return byte === CR;
    }
    if (byte === QUOTE) {
      if (!this.#fieldStart) return false;
      this.#quoted = true;
      this.#fieldStart = false;
      return true;
    }
    this.#fieldStart = byte === this.#delimiter;
    return true;
  }

  #end(_end: number): void {
    if (this.#recordStart >= 0 && this.#content) {
      // 53 bits (exact in a double), never 0 (an empty slot of a hash table).
      const hash = (this.#h1 >>> 0) * 0x200000 + ((this.#h2 >>> 0) & 0x1fffff) || 1;
      if (this.#header === undefined) this.#header = { end: _end, lines: this.#linesSoFar + 1, hash };
      else this.#push(this.#recordStart, this.#recordLines, hash);
    }
    this.#recordStart = -1;
    this.#content = false;
    this.#fieldStart = true;
    this.#h1 = 0x811c9dc5;
    this.#h2 = 0x9747b28c;
  }

  #push(start: number, lines: number, hash: number): void {
    if (this.#count === this.#start.length) {
      const grow = (array: Float64Array) => {
        const bigger = new Float64Array(array.length * 2);
        bigger.set(array);
        return bigger;
      };
      [this.#start, this.#lines, this.#hash] = [grow(this.#start), grow(this.#lines), grow(this.#hash)];
    }
    this.#start[this.#count] = start;
    this.#lines[this.#count] = lines;
    this.#hash[this.#count] = hash;
    this.#count++;
  }

  finish(): Omit<RawRecords, "sha256"> | undefined {
    if (this.#quoted && !this.#quoteSeen) return undefined; // a quote never closed
    this.#quoted = this.#quoteSeen = false;
    this.#end(Infinity);
    if (this.#header === undefined) return undefined;
    return { header: this.#header, count: this.#count, start: this.#start, lines: this.#lines, hash: this.#hash };
  }
}
