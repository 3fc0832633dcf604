import { open } from "node:fs/promises";
import { unitKey } from "../contacts/unit.js";
import { errnoCode } from "../errors.js";
import { ledgerFileError } from "./errors.js";
import type { LedgerEvent } from "./events.js";
import type { LedgerStore } from "./ledger-store.js";

/** Lines a little older than `since` are still read: a few minutes of disorder between runs' clocks cost nothing. */
export const RECENT_MARGIN_MS = 5 * 60_000;
const CHUNK = 1 << 16;

/**
 * A ledger file's events of the given types whose `at` is at or after `since` (ms), newest
 * first — read from the end backwards, stopping at the first line older than `since` by more
 * than the margin: what happened today, or since a doubt, costs those lines, never the whole
 * ledger. A missing file has none.
 */
export async function* recentFileEvents(
  ledgerPath: string,
  since: number,
  types: ReadonlySet<LedgerEvent["t"]>,
): AsyncGenerator<LedgerEvent> {
  let file;
  try {
    file = await open(ledgerPath, "r");
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return;
    throw ledgerFileError(ledgerPath, "read the ledger", err);
  }
  const prefixes = [...types].map((t) => `{"t":"${t}"`);
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
        const time = Date.parse(at);
        if (time < since - RECENT_MARGIN_MS) return;
        if (time >= since && prefixes.some((p) => line.startsWith(p))) yield JSON.parse(line) as LedgerEvent;
      }
    }
  } finally {
    await file.close();
  }
}

const ATTEMPTS: ReadonlySet<LedgerEvent["t"]> = new Set(["attempt"]);
const CREATIONS: ReadonlySet<LedgerEvent["t"]> = new Set(["created", "adopted"]);

/**
 * Distinct units with an attempt since `since`: the daily cap's count of the campaign's own
 * ledger (docs/reference.md §13), the same key (`unitKey`) on every store. An attempt whose request never left
 * (`withdrawn`) counts too: a cap errs on the side of sending less.
 */
export async function unitsAttemptedSince(store: Pick<LedgerStore, "recentEvents">, since: number): Promise<number> {
  const units = new Set<string>();
  for await (const event of store.recentEvents(since, ATTEMPTS)) if (event.t === "attempt") units.add(unitKey(event));
  return units.size;
}

/**
 * The Execution SIDs the ledger gives a unit, created or adopted since `since`: an in-doubt unit
 * is never matched to one of them. Settling doubts costs what is in doubt, not a read of the ledger.
 */
export async function executionSidsSince(store: Pick<LedgerStore, "recentEvents">, since: number): Promise<Set<string>> {
  const sids = new Set<string>();
  for await (const event of store.recentEvents(since, CREATIONS)) if (event.t === "created" || event.t === "adopted") sids.add(event.sid);
  return sids;
}
