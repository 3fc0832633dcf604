import type { Execution } from "../../studio/types.js";

export interface Doubt {
  key: string;
  to: string;
  /** Start of the contact's first in-doubt attempt, ms. */
  since: number;
}

/**
 * Studio shows `date_created` at one-second precision and our clock may differ from Studio's:
 * an Execution counts as created after an attempt if it is no older than the attempt's second
 * minus this skew.
 */
export const CLOCK_SKEW_MS = 2_000;

/** Executions an inbound call or message started (initiated_by CA…/SM…/MM…) are never ours. */
const INBOUND_TRIGGER = /^(CA|SM|MM)[0-9a-fA-F]{32}$/;

export function createdSince(execution: Pick<Execution, "date_created">, since: number): boolean {
  const created = execution.date_created ? Date.parse(execution.date_created) : NaN;
  return Number.isFinite(created) && created >= Math.floor(since / 1000) * 1000 - CLOCK_SKEW_MS;
}

/**
 * Match in-doubt contacts to Executions found by List: the oldest REST-started Execution for
 * the contact's address created since its first in-doubt attempt. Each Execution is adopted at
 * most once, and none the ledger already gives to another contact. Pure: returns key → Execution SID for the matched contacts.
 */
export function matchDoubts(
  doubts: readonly Doubt[],
  executions: readonly Execution[],
  knownSids: ReadonlySet<string> = new Set(),
): Map<string, string> {
  const byAddress = new Map<string, Execution[]>();
  for (const execution of executions) {
    const address = execution.contact_channel_address;
    if (
      !address ||
      knownSids.has(execution.sid) ||
      INBOUND_TRIGGER.test((execution as { initiated_by?: string | null }).initiated_by ?? "")
    )
      continue;
    let list = byAddress.get(address);
    if (!list) byAddress.set(address, (list = []));
    list.push(execution);
  }
  for (const list of byAddress.values()) list.sort((a, b) => Date.parse(a.date_created ?? "") - Date.parse(b.date_created ?? ""));
  const adopted = new Set<string>();
  const matches = new Map<string, string>();
  for (const doubt of [...doubts].sort((a, b) => a.since - b.since)) {
    const candidate = byAddress.get(doubt.to)?.find((e) => !adopted.has(e.sid) && createdSince(e, doubt.since));
    if (candidate) {
      adopted.add(candidate.sid);
      matches.set(doubt.key, candidate.sid);
    }
  }
  return matches;
}
