import { appendFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { scanLines } from "./line-scan.js";
import { SidTable } from "./sid-table.js";

/**
 * What the report reads of a ledger (SPEC §6): a range of rows at a time, so that it holds one
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

/** Bytes held per range before they go to its spill file. */
const SPILL_BUFFER = 256 * 1024;

/**
 * A ledger file's report source: one pass over the file sends each line to the spill file of its
 * range of rows (an Execution's `exec` and `results` lines to the range of the row that created
 * it); each range is then one file read. A million-row report reads the ledger once, not once a
 * range (issue 29: 100 passes over 266 MB took 67 s). The spill files hold personal data: a
 * private folder (0700, files 0600) in the temp folder, removed by `close`.
 */
export async function spillByRow(ledgerText: AsyncIterable<string>, rowsPerRange: number): Promise<ReportSource> {
  const dir = await mkdtemp(path.join(tmpdir(), "studio-campaign-report-"));
  const spill = new RangeSpill(dir, rowsPerRange);
  try {
    const facts = await spillLines(ledgerText, spill);
    await spill.flush();
    return {
      ...facts,
      range: (low) => spill.read(low),
      close: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function spillLines(ledgerText: AsyncIterable<string>, spill: RangeSpill): Promise<{ maxRow: number; flowLine: string | undefined }> {
  const rangeOf = new SidTable();
  let maxRow = 0;
  let flowLine: string | undefined;
  for await (const text of ledgerText) {
    for (const line of scanLines(text)) {
      const content = text.slice(line.start, line.end + 1);
      if (line.execution) {
        const range = line.sid === undefined ? undefined : rangeOf.get(line.sid);
        if (range !== undefined) await spill.add(range, content);
      } else if (line.row !== undefined) {
        maxRow = Math.max(maxRow, line.row);
        const range = spill.rangeOf(line.row);
        if (line.sid !== undefined) rangeOf.set(line.sid, range);
        await spill.add(range, content);
      } else if (text.startsWith('{"t":"flow"', line.start)) flowLine = content.trimEnd();
    }
  }
  return { maxRow, flowLine };
}

/** The spill files of one report, a range of rows each, written through a buffer per range. */
class RangeSpill {
  readonly #buffers = new Map<number, { parts: string[]; size: number }>();

  constructor(
    readonly dir: string,
    readonly rowsPerRange: number,
  ) {}

  rangeOf(row: number): number {
    return Math.floor(Math.max(0, row - 1) / this.rowsPerRange);
  }

  async add(range: number, line: string): Promise<void> {
    let buffer = this.#buffers.get(range);
    if (!buffer) this.#buffers.set(range, (buffer = { parts: [], size: 0 }));
    buffer.parts.push(line);
    buffer.size += line.length;
    if (buffer.size >= SPILL_BUFFER) await this.#write(range, buffer);
  }

  async flush(): Promise<void> {
    for (const [range, buffer] of this.#buffers) await this.#write(range, buffer);
  }

  /** The lines of the range that holds row `low`; "" when none was spilled there. */
  async read(low: number): Promise<string> {
    return readFile(this.#file(this.rangeOf(low)), "utf8").catch((err: NodeJS.ErrnoException) =>
      err.code === "ENOENT" ? "" : Promise.reject(err),
    );
  }

  async #write(range: number, buffer: { parts: string[]; size: number }): Promise<void> {
    if (buffer.size === 0) return;
    const text = buffer.parts.join("");
    buffer.parts = [];
    buffer.size = 0;
    await appendFile(this.#file(range), text, { mode: 0o600 });
  }

  #file(range: number): string {
    return path.join(this.dir, `rows-${range}.jsonl`);
  }
}
