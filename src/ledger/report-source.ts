import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ledgerFileError } from "./errors.js";
import { SidTable } from "./sid-table.js";

/**
 * What the report reads of a ledger (docs/reference.md §6): a range of rows at a time, so that it holds one
 * range, never the campaign. `range(low, high)` is every event of the rows [low, high) and of the
 * Executions they created, as JSON lines in ledger order.
 */
export interface ReportSource {
  /** The highest row an event names. */
  maxRow: number;
  /** The latest flow preflight's line, if any. */
  flowLine: string | undefined;
  range(low: number, high: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * A ledger file's report source: one pass over the file sends each line to the spill file of its
 * range of rows (an Execution's `exec` and `results` lines to the range of the row that created
 * it); each range is then one file read. A million-row report reads the ledger once, not once a
 * range (100 passes over 266 MB took 67 s). The pass looks at bytes, never making a
 * string of a line but the flow's. The spill files hold personal data: a private folder (0700,
 * files 0600) in the temp folder, removed by `close`. A torn last line is left out.
 */
export async function spillFileByRow(ledgerPath: string, rowsPerRange: number): Promise<ReportSource> {
  const dir = await mkdtemp(path.join(tmpdir(), "studio-campaign-report-"));
  const spill = new RangeSpill(dir, rowsPerRange);
  try {
    const router = new LineRouter(spill, path.join(dir, "executions-without-row.jsonl"));
    await forEachLine(ledgerPath, (buf, start, end) => router.route(buf, start, end));
    if (router.legacy) await routeLegacy(ledgerPath, router.legacy, spill);
    spill.flush();
    const { maxRow, flowLine } = router;
    return { maxRow, flowLine, range: (low) => spill.read(low), close: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    spill.flush();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Each complete line of a file, as bytes [start, end] (its "\n" at `end`); a torn last line is left out. A missing file has none. */
async function forEachLine(file: string, visit: (buf: Buffer, start: number, end: number) => void): Promise<void> {
  let carry: Buffer | undefined;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
      const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      for (let end = buf.indexOf(10); end !== -1; start = end + 1, end = buf.indexOf(10, start)) visit(buf, start, end);
      carry = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined; // a copy: the chunk is not kept for it
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw ledgerFileError(file, "read the ledger", err);
  }
}

/**
 * Ledgers written before `exec` and `results` lines named their row route those by the SID of
 * the Execution: a second pass learns which range created each (a compact table, ~40 MB at a
 * million), then the lines set aside are sent there. A ledger of this version never needs it.
 */
async function routeLegacy(ledgerPath: string, legacy: LegacyLines, spill: RangeSpill): Promise<void> {
  legacy.close();
  const rangeOf = new SidTable();
  await forEachLine(ledgerPath, (buf, start, end) => {
    if (!CREATION_LINES.some((prefix) => startsWith(buf, start, prefix))) return;
    const row = numberAt(buf, fieldAt(buf, start, end, ROW_FIELD), end);
    const sid = fieldAt(buf, start, end, SID_FIELD);
    if (row !== undefined && sid !== -1) rangeOf.setAt(buf, sid, spill.rangeOf(row));
  });
  await forEachLine(legacy.file, (buf, start, end) => {
    const sid = fieldAt(buf, start, end, SID_FIELD);
    const range = sid === -1 ? undefined : rangeOf.getAt(buf, sid);
    if (range !== undefined) spill.add(range, buf, start, end + 1);
  });
}

const bytes = (text: string) => Buffer.from(text);
const EXECUTION_LINES = [bytes('{"t":"exec"'), bytes('{"t":"results"'), bytes('{"t":"reply"')];
/** This version writes an Execution's lines with their row second: `{"t":"exec","row":12,…`. */
const EXECUTION_LINES_WITH_ROW = [bytes('{"t":"exec","row":'), bytes('{"t":"results","row":'), bytes('{"t":"reply","row":')];
const CREATION_LINES = [bytes('{"t":"created"'), bytes('{"t":"adopted"')];
const FLOW_LINE = bytes('{"t":"flow"');
const ROW_FIELD = bytes('"row":');
const SID_FIELD = bytes('"sid":"');

/** An older ledger's `exec` and `results` lines without a row, set aside in ledger order. */
class LegacyLines {
  readonly #fd: number;

  constructor(readonly file: string) {
    this.#fd = openSync(file, "a", 0o600);
  }

  add(buf: Buffer, start: number, end: number): void {
    for (let done = start; done < end;) done += writeSync(this.#fd, buf, done, end - done);
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** Sends each line (bytes [start, end], its "\n" at `end`) to its range; learns the highest row and the latest flow line. */
class LineRouter {
  maxRow = 0;
  flowLine: string | undefined;
  /** Set when an `exec` or `results` line named no row. */
  legacy: LegacyLines | undefined;

  constructor(
    readonly spill: RangeSpill,
    readonly legacyFile: string,
  ) {}

  route(buf: Buffer, start: number, end: number): void {
    const withRow = EXECUTION_LINES_WITH_ROW.find((prefix) => startsWith(buf, start, prefix));
    if (withRow) return this.#toRow(numberAt(buf, start + withRow.length, end), buf, start, end);
    if (EXECUTION_LINES.some((prefix) => startsWith(buf, start, prefix))) {
      (this.legacy ??= new LegacyLines(this.legacyFile)).add(buf, start, end + 1);
      return;
    }
    const at = fieldAt(buf, start, end, ROW_FIELD);
    if (at !== -1) return this.#toRow(numberAt(buf, at, end), buf, start, end);
    if (startsWith(buf, start, FLOW_LINE)) this.flowLine = buf.toString("utf8", start, end);
  }

  #toRow(row: number | undefined, buf: Buffer, start: number, end: number): void {
    if (row === undefined) return;
    this.maxRow = Math.max(this.maxRow, row);
    this.spill.add(this.spill.rangeOf(row), buf, start, end + 1);
  }
}

/** The decimal number at `at` (before `end`); undefined when there is none. */
function numberAt(buf: Buffer, at: number, end: number): number | undefined {
  if (at < 0) return undefined;
  let value: number | undefined;
  for (let i = at; i < end && buf[i]! >= 48 && buf[i]! <= 57; i++) value = (value ?? 0) * 10 + buf[i]! - 48;
  return value;
}

function startsWith(buf: Buffer, start: number, prefix: Buffer): boolean {
  return buf.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0;
}

/** Where a field's value starts in the line, or -1. */
function fieldAt(buf: Buffer, start: number, end: number, field: Buffer): number {
  const at = buf.indexOf(field, start);
  return at === -1 || at >= end ? -1 : at + field.length;
}

/** Bytes held per range before they go to its spill file: 200 ranges hold 3.2 MB at most. */
const SPILL_BUFFER = 16 * 1024;
/** Spill files open at once (the least recently written is closed first): far under any descriptor limit. */
const OPEN_FILES = 64;

/**
 * The spill files of one report, a range of rows each, written through a buffer per range with
 * synchronous writes on descriptors kept open (a report does nothing else meanwhile: an await per
 * write left the pass idle half its time).
 */
class RangeSpill {
  readonly #buffers = new Map<number, { bytes: Buffer; used: number }>();
  /** Open descriptors by range, least recently written first. */
  readonly #open = new Map<number, number>();

  constructor(
    readonly dir: string,
    readonly rowsPerRange: number,
  ) {}

  rangeOf(row: number): number {
    return Math.floor(Math.max(0, row - 1) / this.rowsPerRange);
  }

  /** Append bytes [start, end) of `buf` to the range's file. */
  add(range: number, buf: Buffer, start: number, end: number): void {
    let buffer = this.#buffers.get(range);
    if (!buffer) this.#buffers.set(range, (buffer = { bytes: Buffer.allocUnsafe(SPILL_BUFFER), used: 0 }));
    if (buffer.used + (end - start) > SPILL_BUFFER) this.#write(range, buffer);
    if (end - start > SPILL_BUFFER) return this.#append(range, buf.subarray(start, end));
    buffer.used += buf.copy(buffer.bytes, buffer.used, start, end);
  }

  flush(): void {
    for (const [range, buffer] of this.#buffers) this.#write(range, buffer);
    this.#buffers.clear();
    for (const fd of this.#open.values()) closeSync(fd);
    this.#open.clear();
  }

  /** The lines of the range that holds row `low`; "" when none was spilled there. */
  async read(low: number): Promise<string> {
    return readFile(this.#file(this.rangeOf(low)), "utf8").catch((err: NodeJS.ErrnoException) =>
      err.code === "ENOENT" ? "" : Promise.reject(err),
    );
  }

  #write(range: number, buffer: { bytes: Buffer; used: number }): void {
    if (buffer.used === 0) return;
    this.#append(range, buffer.bytes.subarray(0, buffer.used));
    buffer.used = 0;
  }

  #append(range: number, bytes: Buffer): void {
    let fd = this.#open.get(range);
    if (fd === undefined) {
      if (this.#open.size >= OPEN_FILES) {
        const [oldest, oldestFd] = this.#open.entries().next().value as [number, number];
        closeSync(oldestFd);
        this.#open.delete(oldest);
      }
      fd = openSync(this.#file(range), "a", 0o600);
    } else this.#open.delete(range);
    this.#open.set(range, fd); // most recently written last
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
  }

  #file(range: number): string {
    return path.join(this.dir, `rows-${range}.jsonl`);
  }
}
