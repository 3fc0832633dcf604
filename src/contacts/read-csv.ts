import { createReadStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { open } from "node:fs/promises";
import type { CsvError } from "csv-parse";
import type { RawRecords } from "./raw-records.js";
import { CampaignInputError } from "../errors.js";
import {
  DEFAULT_CSV_FORMAT,
  delimiterHint,
  detectDelimiter,
  encodingOfBom,
  firstNonUtf8Line,
  readStart,
  type CsvEncoding,
  type CsvFormat,
} from "./csv-format.js";

/**
 * One data record of the contacts CSV. `row` is 1-based, the header excluded (docs/reference.md §6).
 * `end`: the byte offset just past the record (its line break included), for resuming there, and
 * `lines`: the file's lines up to its end; undefined for an unparsable record, and for every
 * record of a reading whose positions come from a scan (`positions`: only an error's line is told).
 */
export type CsvRecord =
  | { row: number; fields: Record<string, string>; end?: number; lines?: number }
  | { row: number; error: string; end?: number; lines?: number };

export interface ContactsCsv {
  header: string[];
  /** The delimiter it is read with: the campaign's, or the one its header line uses. */
  delimiter: string;
  records: AsyncGenerator<CsvRecord>;
  /**
   * The same records, as many at a time as the parser has ready (a chunk's worth): a reader of
   * every row — a standing campaign's whole snapshot — pays one await a chunk, not one a record.
   * Take `records` or `batches`, not both.
   */
  batches: AsyncGenerator<CsvRecord[]>;
  /** Where the data records begin (past the header, or the resume point). */
  start: CsvResumePoint;
  /** Stop reading (the records not taken are never parsed): for a caller that wanted the header only. */
  close(): void;
}

/** Where to start reading instead of the top: a byte offset just past a record, with what came before it. */
export interface CsvResumePoint {
  header: string[];
  /** Byte offset at which a record starts (just past the previous record's line break). */
  bytes: number;
  /** Data records before that offset, and the file's lines before it (for line numbers). */
  rows: number;
  lines: number;
  /** Stop reading at this byte (exclusive): nothing appended after a checkpoint is read without its keys. */
  until?: number;
}

/**
 * The parser takes each chunk whole before its first record comes out: at the stream's default
 * 64 KiB that is ~1 500 records parsed before a run can send its first (50–70 ms, the parser
 * not yet warm), and again for the header alone. 16 KiB: a quarter of that, the same total.
 */
const CHUNK_BYTES = 16 * 1024;

/** A record as the parser gives it: with its position (`info`), or without (a reading given `positions`). */
type Parsed = { record: string[]; info: { lines: number; bytes: number } } | string[];

/**
 * Stream the contacts CSV (UTF-8, optional BOM, RFC 4180 quoting) without holding its rows.
 * A ragged or unparsable record becomes an error record with its number and the line where the
 * parser gave up; it never stops the stream. An unreadable file, or one whose header lacks
 * `requiredColumn`, throws `CampaignInputError` before any record is returned. From a resume
 * point, reading starts at that byte with the header given (a cron rerun skips what is final).
 */
export async function openContactsCsv(
  file: string,
  requiredColumn: string,
  resume?: CsvResumePoint,
  /**
   * `headerOnly`: read in 1 KiB chunks, for a caller that closes it after the header. `format`: how
   * the file is written. `bytes`: the file's bytes from the resume point to its `until`, already
   * read (a standing tick's changed rows: no file opened for each), with the format known.
   * `positions`: the file's records as `scanRecords` split them, for a reading of the whole file:
   * the parser then keeps no position of its own (csv-parse's `info` builds two objects of some
   * twenty fields a record), and a record's line comes from the scan.
   */
  options: { headerOnly?: boolean; format?: CsvFormat | undefined; bytes?: Buffer; positions?: RawRecords | undefined } = {},
): Promise<ContactsCsv> {
  const given = options.bytes && options.format?.delimiter !== undefined && resume;
  const format = given
    ? { delimiter: options.format!.delimiter!, encoding: options.format!.encoding }
    : await formatOf(file, options.format ?? DEFAULT_CSV_FORMAT, resume);
  if (resume && resume.until !== undefined && resume.until <= resume.bytes) {
    // A cron rerun whose every row is in the checkpoint's prefix: no file read, no parser loaded.
    const none = (async function* (): AsyncGenerator<CsvRecord> {})();
    const noBatches = (async function* (): AsyncGenerator<CsvRecord[]> {})();
    return { header: resume.header, delimiter: format.delimiter, start: resume, records: none, batches: noBatches, close: () => undefined };
  }
  const positions = resume === undefined ? options.positions : undefined;
  const parsing = await parseFrom(file, resume, options.headerOnly ? 1024 : CHUNK_BYTES, format, { bytes: options.bytes, positions });
  const { input } = parsing;
  if (resume && !options.bytes) {
    // Opening can fail (the file went away since the checkpoint): surface it before any record.
    await new Promise<void>((resolve, reject) =>
      input.once("open", () => resolve()).once("error", (err: Error) => reject(parsing.fail(err))),
    );
  }
  if (resume)
    return readerOf(parsing, {
      header: resume.header,
      file,
      start: resume,
      at: { row: resume.rows, bytes: resume.bytes, lines: resume.lines },
    });
  const header = await readHeader(parsing, file, requiredColumn);
  const start: CsvResumePoint = { header: header.names, bytes: header.bytes, rows: 0, lines: header.lines };
  return readerOf(parsing, { header: header.names, file, start, at: { row: 0, bytes: 0, lines: 0 } });
}

/** Bytes looked at before reading: a UTF-16 BOM, the header line's delimiter, and (UTF-8) that the start is UTF-8. */
const PEEK_BYTES = 64 * 1024;

/**
 * How the file is read (docs/reference.md §17): UTF-16 when it starts with a UTF-16 BOM, else the
 * campaign's encoding; the campaign's delimiter, else the one its header line uses. A UTF-8 file
 * whose first 64 KiB are not UTF-8 is refused (exit 2) naming the line: a Windows export needs
 * `csv.encoding`, and its accented names must not reach anyone garbled.
 */
async function formatOf(
  file: string,
  declared: CsvFormat,
  resume: CsvResumePoint | undefined,
): Promise<{ delimiter: string; encoding: CsvEncoding }> {
  const start = await readStart(file, PEEK_BYTES);
  const encoding = encodingOfBom(start) ?? declared.encoding;
  if (encoding === "utf-8" && resume === undefined) {
    const line = firstNonUtf8Line(start);
    if (line !== undefined)
      throw new CampaignInputError(`${file}: line ${line} is not UTF-8 text (a Windows export? set csv.encoding, e.g. "windows-1252")`);
  }
  if (declared.delimiter !== undefined) return { delimiter: declared.delimiter, encoding };
  const text = new TextDecoder(encoding).decode(start);
  const end = text.search(/\r?\n/);
  return { delimiter: detectDelimiter(end === -1 ? text : text.slice(0, end)), encoding };
}

/** How a whole file is read (`formatOf` from its top): for a caller that looks at its bytes before parsing it. */
export async function csvFormatOf(file: string, declared: CsvFormat): Promise<{ delimiter: string; encoding: CsvEncoding }> {
  return formatOf(file, declared, undefined);
}

/** Another encoding's bytes as UTF-8, for the parser (a BOM dropped). */
function toUtf8(encoding: CsvEncoding): Transform {
  const decoder = new TextDecoder(encoding);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, Buffer.from(decoder.decode(chunk, { stream: true })));
    },
    flush(done) {
      done(null, Buffer.from(decoder.decode()));
    },
  });
}

/** The records from where the parsing stands: one at a time or a chunk at a time. */
function readerOf(
  parsing: Parsing,
  where: { header: string[]; file: string; start: CsvResumePoint; at: { row: number; bytes: number; lines: number } },
): ContactsCsv {
  const batches = recordBatches(parsing, where.header, where.file, where.at);
  const records = (async function* (): AsyncGenerator<CsvRecord> {
    for await (const batch of batches) yield* batch;
  })();
  return {
    header: where.header,
    delimiter: parsing.delimiter,
    start: where.start,
    records,
    batches,
    close: () => parsing.parser.destroy(),
  };
}

interface Parsing {
  input: Readable;
  delimiter: string;
  encoding: CsvEncoding;
  parser: ReturnType<typeof import("csv-parse").parse>;
  /** Where the records are, when the parser keeps no positions (`openContactsCsv`'s `positions`); let go once read. */
  positions: RawRecords | undefined;
  /** The records the parser has ready, all of them (undefined at the end); `ahead`: some taken back (past the header). */
  next: () => Promise<Parsed[] | undefined>;
  ahead: Parsed[];
  /** Records the parser gave up on, with the line it gave up at (reported as invalid rows, in file order). */
  skipped: Array<{ line: number; reason: string }>;
  fail: (err: unknown) => CampaignInputError;
}

/** The file streamed into csv-parse from `resume` (or the top): lenient on ragged rows, never stopping at a bad record. */
async function parseFrom(
  file: string,
  resume: CsvResumePoint | undefined,
  highWaterMark: number,
  format: { delimiter: string; encoding: CsvEncoding },
  given: { bytes: Buffer | undefined; positions: RawRecords | undefined },
): Promise<Parsing> {
  const { bytes, positions } = given;
  const skipped: Array<{ line: number; reason: string }> = [];
  const lineOffset = resume?.lines ?? 0;
  const until = resume?.until;
  const { parse } = await import("csv-parse");
  const input = bytes
    ? Readable.from([bytes], { objectMode: false })
    : createReadStream(file, { highWaterMark, start: resume?.bytes ?? 0, ...(until !== undefined ? { end: until - 1 } : {}) });
  // Another encoding is read through a decoder (a file in it is read whole every run: its
  // checkpoint keeps no prefix, since the parser's byte offsets are then the decoded text's).
  const source = format.encoding === "utf-8" ? input : input.pipe(toUtf8(format.encoding));
  const parser = source.pipe(
    parse({
      bom: resume === undefined,
      delimiter: format.delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      info: positions === undefined,
      on_skip: (err: CsvError | undefined) => {
        skipped.push({ line: lineOffset + Number(err?.lines ?? 0), reason: err?.message ?? "unparsable record" });
        return undefined;
      },
    }),
  );
  input.on("error", (err: Error) => parser.destroy(err)); // pipe() does not forward a read error
  const fail = (err: unknown) =>
    new CampaignInputError(`${file}: cannot read the contacts file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  return {
    input,
    delimiter: format.delimiter,
    encoding: format.encoding,
    parser,
    positions,
    next: () => readyRecords(parser),
    ahead: [],
    skipped,
    fail,
  };
}

/**
 * Every record the parser has ready, read without an await each (paused mode, `read()` until it
 * has none); when it has none, wait until it has more, ends, fails or is closed.
 */
async function readyRecords(parser: Parsing["parser"]): Promise<Parsed[] | undefined> {
  for (;;) {
    const ready: Parsed[] = [];
    for (let parsed = parser.read() as Parsed | null; parsed !== null; parsed = parser.read() as Parsed | null) ready.push(parsed);
    if (ready.length > 0) return ready;
    if (parser.errored) throw parser.errored;
    if (parser.readableEnded || parser.destroyed) return undefined;
    await new Promise<void>((resolve) => {
      const wake = () => {
        for (const event of ["readable", "end", "error", "close"]) parser.off(event, wake);
        resolve();
      };
      for (const event of ["readable", "end", "error", "close"]) parser.on(event, wake);
    });
  }
}

/** The first record: the header, which must name `requiredColumn`. */
async function readHeader(
  parsing: Parsing,
  file: string,
  requiredColumn: string,
): Promise<{ names: string[]; bytes: number; lines: number }> {
  let ready: Parsed[] | undefined;
  try {
    ready = await parsing.next();
  } catch (err) {
    throw parsing.fail(err);
  }
  const first = ready?.[0];
  if (first === undefined) throw new CampaignInputError(`${file}: the contacts file is empty (a header row is required)`);
  parsing.ahead = ready!.slice(1);
  const names = fieldsOf(first).map((name) => name.trim());
  if (!names.includes(requiredColumn)) {
    parsing.parser.destroy();
    throw new CampaignInputError(
      `${file}: line 1: the header has no "${requiredColumn}" column (columns: ${names.map((h) => JSON.stringify(h)).join(", ")})` +
        delimiterHint(names, requiredColumn, parsing.delimiter),
    );
  }
  const scanned = parsing.positions?.header;
  if (scanned) return { names, bytes: scanned.end, lines: scanned.lines };
  const { info } = first as { info: { bytes: number; lines: number } };
  return { names, bytes: info.bytes, lines: info.lines };
}

function fieldsOf(parsed: Parsed): string[] {
  return Array.isArray(parsed) ? parsed : parsed.record;
}

/**
 * Where a record is without the parser's positions: the line it ends on (its first line from the
 * scan, and the line breaks inside its quoted fields), as csv-parse's `info.lines` tells it — but
 * in CRLF files, where csv-parse counts a CRLF inside quotes as two.
 */
function lineFromScan(positions: RawRecords, row: number, record: string[]): number | undefined {
  if (row > positions.count) return undefined; // the scan and the parser disagree: no line told
  let breaks = 0;
  for (const field of record) for (let at = field.indexOf("\n"); at !== -1; at = field.indexOf("\n", at + 1)) breaks++;
  return positions.lines[row - 1]! + 1 + breaks;
}

async function* recordBatches(
  parsing: Parsing,
  header: string[],
  file: string,
  start: { row: number; bytes: number; lines: number },
): AsyncGenerator<CsvRecord[]> {
  const { skipped } = parsing;
  let row = start.row;
  const unparsable = (skip: { line: number; reason: string }): CsvRecord => ({
    row: ++row,
    error: `unparsable CSV near line ${skip.line}: ${skip.reason}`,
  });
  for (;;) {
    let ready: Parsed[] | undefined;
    try {
      ready = parsing.ahead.length > 0 ? parsing.ahead.splice(0) : await parsing.next();
    } catch (err) {
      throw new CampaignInputError(`${file}: reading stopped after record ${row}: ${(err as Error).message}`, { cause: err });
    }
    if (ready === undefined) break;
    const batch: CsvRecord[] = [];
    for (const parsed of ready) {
      const record = fieldsOf(parsed);
      const where = Array.isArray(parsed) ? undefined : { end: start.bytes + parsed.info.bytes, lines: start.lines + parsed.info.lines };
      const { positions } = parsing;
      const lineAt = (number: number) => where?.lines ?? (positions && lineFromScan(positions, number, record));
      // Skips are reported as they are parsed, possibly ahead of the records we consume: keep
      // file order by their line numbers.
      while (skipped.length > 0 && (skipped[0]?.line ?? Infinity) < (lineAt(row + 1) ?? Infinity)) batch.push(unparsable(skipped.shift()!));
      const number = ++row;
      batch.push(recordOf(record, { row: number, header, where, lineOf: () => lineAt(number), utf8: parsing.encoding === "utf-8" }));
    }
    yield batch;
  }
  parsing.positions = undefined;
  const rest: CsvRecord[] = [];
  while (skipped.length > 0) rest.push(unparsable(skipped.shift()!));
  if (rest.length > 0) yield rest;
}

/** A parsed record as a data record: its fields by column, or why it is none (a ragged row, bytes not UTF-8). */
function recordOf(
  record: string[],
  how: {
    row: number;
    header: string[];
    where: { end: number; lines: number } | undefined;
    lineOf: () => number | undefined;
    utf8: boolean;
  },
): CsvRecord {
  const { row, header, where } = how;
  const error = (text: (line: number | string) => string): CsvRecord => {
    const lines = how.lineOf();
    return { row, error: text(lines ?? "?"), ...where, ...(lines === undefined ? {} : { lines }) };
  };
  if (record.length !== header.length)
    return error((line) => `has ${record.length} fields, the header has ${header.length} (line ${line})`);
  // Bytes that were not UTF-8 (read as U+FFFD): a garbled name must reach no one (docs/reference.md §17).
  if (how.utf8 && record.some((field) => field.includes("\uFFFD")))
    return error((line) => `line ${line} is not UTF-8 text (set csv.encoding, e.g. "windows-1252")`);
  const fields: Record<string, string> = {};
  for (let i = 0; i < header.length; i++) fields[header[i]!] = record[i] ?? "";
  return where ? { row, fields, ...where } : { row, fields };
}

/**
 * Can a record ending at `end` bound a checkpoint's prefix? Only if its line break is in the
 * file: a last line without one may still grow ("+1415…" appended to "+1415…").
 */
export async function recordEndsAreFinal(file: string): Promise<(end: number) => boolean> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const last = size > 0 ? (await handle.read(Buffer.alloc(1), 0, 1, size - 1)).buffer[0] : undefined;
    return (end) => end < size || last === 0x0a;
  } finally {
    await handle.close();
  }
}

/**
 * The non-blank lines from `start.bytes` (to `start.until`, else the end): an upper bound of the
 * records there (a quoted field may span lines), counted without parsing — `run`'s first look
 * at its contacts, before its own pass reads them (one parse, not two).
 */
export async function countRecordLines(file: string, start: Pick<CsvResumePoint, "bytes" | "until">): Promise<number> {
  if (start.until !== undefined && start.until <= start.bytes) return 0;
  const input = createReadStream(file, { start: start.bytes, ...(start.until !== undefined ? { end: start.until - 1 } : {}) });
  let lines = 0;
  let blank = true; // the current line has nothing but \r so far
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let from = 0;
    for (let at = chunk.indexOf(0x0a, from); at !== -1; at = chunk.indexOf(0x0a, from)) {
      if (!blank || !onlyCarriageReturns(chunk, from, at)) lines++;
      blank = true;
      from = at + 1;
    }
    if (blank && !onlyCarriageReturns(chunk, from, chunk.length)) blank = false;
  }
  return blank ? lines : lines + 1;
}

function onlyCarriageReturns(chunk: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (chunk[i] !== 0x0d) return false;
  return true;
}
