import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { LedgerError, ledgerFileError } from "../errors.js";
import type { LedgerEvent } from "../events.js";
import type { LedgerScan } from "../ledger-store.js";

/**
 * Stream a ledger's events, a read chunk's events at a time (a million-line resume pays no
 * per-line await). A last line without its newline is a torn write from a crash and is ignored
 * (`scan.tornTail`); any other unparsable line is corruption, reported with its line number. A
 * missing file reads as empty.
 */
export async function* readLedgerBatches(
  file: string,
  scan: LedgerScan = { validBytes: 0, tornTail: false },
  /** Start at this byte (a line start: a checkpoint's ledger size); `scan` stays absolute. */
  from = 0,
): AsyncGenerator<LedgerEvent[]> {
  const where = (line: number) => (from === 0 ? `line ${line}` : `line ${line} after byte ${from}`);
  for await (const { lines, firstLine } of readLedgerLines(file, scan, from)) {
    const batch: LedgerEvent[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!isBlank(line)) batch.push(parseLine(line, where(firstLine + i), file));
    }
    if (batch.length > 0) yield batch;
  }
}

/**
 * The ledger's complete lines as text, a read chunk at a time (`firstLine`: the 1-based number
 * of `lines[0]`). A torn last line is left out and measured in `scan`.
 */
export async function* readLedgerLines(
  file: string,
  scan: LedgerScan = { validBytes: 0, tornTail: false },
  from = 0,
): AsyncGenerator<{ lines: string[]; firstLine: number }> {
  let lineNumber = 0;
  for await (const text of readLedgerText(file, scan, from)) {
    const lines = text.split("\n");
    lines.pop(); // the text ends with a line break
    yield { lines, firstLine: lineNumber + 1 };
    lineNumber += lines.length;
  }
}

/**
 * The ledger a read chunk at a time, as one string of complete lines each (ending with a line
 * break), for readers that look into lines without cutting them out (the report). A torn last
 * line is left out and measured in `scan`.
 */
export async function* readLedgerText(
  file: string,
  scan: LedgerScan = { validBytes: 0, tornTail: false },
  from = 0,
): AsyncGenerator<string> {
  try {
    await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw ledgerFileError(file, "read the ledger", err);
  }
  const decoder = new StringDecoder("utf8"); // a character may straddle two chunks
  let totalBytes = from;
  let pending = "";
  // 64 KB chunks: a chunk's events die young. With 1 MB chunks (more than the then bin's 1 MB
  // semi-space) every batch outlived a scavenge and went to the old space as garbage: a
  // 1 M-line fold peaked at 600 MB and took 2.2–2.8 s; now 300 MB and 1.55 s.
  const stream = createReadStream(file, { highWaterMark: 1 << 16, start: from });
  // stat() needs no read permission; opening does. Name the file, not a stack.
  const opened = await new Promise<unknown>((resolve) => stream.once("open", () => resolve(undefined)).once("error", resolve));
  if (opened !== undefined) throw ledgerFileError(file, "read the ledger", opened);
  for await (const chunk of readable(stream, file)) {
    totalBytes += chunk.length;
    const text = pending + decoder.write(chunk);
    const cut = text.lastIndexOf("\n") + 1;
    pending = text.slice(cut);
    if (cut > 0) yield text.slice(0, cut);
  }
  pending += decoder.end();
  scan.tornTail = pending.length > 0;
  scan.validBytes = totalBytes - Buffer.byteLength(pending);
}

/** The file's chunks; a read error (EISDIR, EIO) names the ledger instead of escaping raw. */
async function* readable(stream: AsyncIterable<unknown>, file: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw ledgerFileError(file, "read the ledger", err);
  }
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) > 32) return false;
  return true;
}

function parseLine(line: string, lineLabel: string, file: string): LedgerEvent {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    throw new LedgerError(
      `${file}: ${lineLabel} is corrupt (not JSON); the ledger must be repaired by hand before this campaign can continue`,
    );
  }
  if (typeof event !== "object" || event === null || typeof (event as { t?: unknown }).t !== "string") {
    throw new LedgerError(`${file}: ${lineLabel} is corrupt (not a ledger event)`);
  }
  return event as LedgerEvent;
}
