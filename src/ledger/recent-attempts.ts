import { open } from "node:fs/promises";
import { errnoCode } from "../errors.js";
import { ledgerFileError } from "./errors.js";

/** Lines a little older than `since` are still read: a few seconds of disorder between runs' clocks cost nothing. */
const MARGIN_MS = 5 * 60_000;
const CHUNK = 1 << 16;

/**
 * How many distinct contacts had an attempt since `since` (ms): the daily cap's count of the
 * campaign's own ledger (SPEC §13). Read from the end backwards, so a cron rerun pays for today's
 * lines only, never the whole ledger. An attempt whose request never left (`withdrawn`) counts
 * too: a cap errs on the side of sending less.
 */
export async function contactsAttemptedSince(ledgerPath: string, since: number): Promise<number> {
  let file;
  try {
    file = await open(ledgerPath, "r");
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return 0;
    throw ledgerFileError(ledgerPath, "read the ledger", err);
  }
  const contacts = new Set<string>();
  try {
    let end = (await file.stat()).size;
    let carry = Buffer.alloc(0);
    while (end > 0) {
      const start = Math.max(0, end - CHUNK);
      const chunk = Buffer.alloc(end - start);
      await file.read(chunk, 0, chunk.length, start);
      end = start;
      const text = Buffer.concat([chunk, carry]);
      const firstBreak = start === 0 ? -1 : text.indexOf(10);
      carry = firstBreak === -1 ? Buffer.alloc(0) : text.subarray(0, firstBreak + 1);
      const lines = text
        .subarray(firstBreak + 1)
        .toString("utf8")
        .split("\n")
        .reverse();
      for (const line of lines) {
        // Every event's own `at` is its last field (a results line may hold other "at" keys inside its values).
        const at = /"at":"([^"]+)"\}$/.exec(line)?.[1];
        if (at === undefined) continue; // blank, or a torn last line
        if (Date.parse(at) < since - MARGIN_MS) return contacts.size;
        if (!line.startsWith('{"t":"attempt"') || Date.parse(at) < since) continue;
        const event = JSON.parse(line) as { to: string; from: string };
        contacts.add(`${event.to}|${event.from}`);
      }
    }
    return contacts.size;
  } finally {
    await file.close();
  }
}
