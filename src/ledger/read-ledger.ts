import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { LedgerError } from "./errors.js";
import type { LedgerEvent } from "./events.js";

export interface LedgerScan {
  /** Byte length of the complete lines: a torn tail beyond it is to be cut before appending. */
  validBytes: number;
  tornTail: boolean;
}

/**
 * Stream a ledger's events line by line. A last line without its newline is a torn write from a
 * crash and is ignored (`scan.tornTail`); any other unparsable line is corruption, reported
 * with its line number. A missing file reads as empty.
 */
export async function* readLedger(file: string, scan: LedgerScan = { validBytes: 0, tornTail: false }): AsyncGenerator<LedgerEvent> {
  try {
    await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  let lineNumber = 0;
  let offset = 0;
  let pending: Buffer[] = [];
  // Split on raw bytes (not readline): a multi-byte character may straddle two chunks, and we
  // need the exact byte length of the complete lines.
  for await (const chunk of createReadStream(file)) {
    const buffer = chunk as Buffer;
    let start = 0;
    for (let i = buffer.indexOf(10); i !== -1; i = buffer.indexOf(10, start)) {
      const bytes = pending.length > 0 ? Buffer.concat([...pending, buffer.subarray(start, i)]) : buffer.subarray(start, i);
      pending = [];
      lineNumber++;
      offset += bytes.length + 1;
      start = i + 1;
      const line = bytes.toString("utf8");
      if (line.trim() !== "") yield parseLine(line, lineNumber, file);
      scan.validBytes = offset;
    }
    if (start < buffer.length) pending.push(buffer.subarray(start));
  }
  scan.validBytes = offset;
  scan.tornTail = pending.some((part) => part.length > 0);
}

function parseLine(line: string, lineNumber: number, file: string): LedgerEvent {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    throw new LedgerError(`${file}: line ${lineNumber} is corrupt (not JSON); the ledger must be repaired by hand before this campaign can continue`);
  }
  if (typeof event !== "object" || event === null || typeof (event as { t?: unknown }).t !== "string") {
    throw new LedgerError(`${file}: line ${lineNumber} is corrupt (not a ledger event)`);
  }
  return event as LedgerEvent;
}
