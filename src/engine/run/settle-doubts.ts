import { createdSince } from "../../studio/created-since.js";
import type { Execution } from "../../studio/types.js";

export interface Doubt {
  key: string;
  to: string;
  /** Start of the contact's first in-doubt attempt, ms. */
  since: number;
  /**
   * A reminder (docs/reference.md §16): several units share a number, so an Execution is its only if its
   * Parameters name this reminder of this appointment (`flow.data`, read from its Context).
   */
  reminder?: { name: string; key: string } | undefined;
}

/** What an Execution's Context says it was created for: its `flow.data.reminder`, and the appointment key when sent. */
export type ExecutionParameters = ReadonlyMap<string, Record<string, unknown>>;

/** Executions an inbound call or message started (initiated_by CA…/SM…/MM…) are never ours. */
const INBOUND_TRIGGER = /^(CA|SM|MM)[0-9a-fA-F]{32}$/;

/**
 * Match in-doubt contacts to Executions found by List: the oldest REST-started Execution for
 * the contact's address created since its first in-doubt attempt. Each Execution is adopted at
 * most once, and none the ledger already gives to another contact. Pure: returns key → Execution SID for the matched contacts.
 */
export function matchDoubts(
  doubts: readonly Doubt[],
  executions: readonly Execution[],
  knownSids: ReadonlySet<string> = new Set(),
  /** The `flow.data` of candidate Executions of reminder doubts, by SID; one not read is never a reminder's match. */
  parameters: ExecutionParameters = new Map(),
  /** The column whose value is the appointment key in `flow.data`, when the campaign sends it. */
  keyColumn?: string,
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
    const candidate = byAddress
      .get(doubt.to)
      ?.find((e) => !adopted.has(e.sid) && createdSince(e, doubt.since) && isFor(doubt, parameters.get(e.sid), keyColumn));
    if (candidate) {
      adopted.add(candidate.sid);
      matches.set(doubt.key, candidate.sid);
    }
  }
  return matches;
}

/** Is an Execution with these Parameters the doubt's? A contact's: any; a reminder's: only one naming that reminder of that appointment. */
function isFor(doubt: Doubt, data: Record<string, unknown> | undefined, keyColumn: string | undefined): boolean {
  if (!doubt.reminder) return true;
  if (!data || data.reminder !== doubt.reminder.name) return false;
  return keyColumn === undefined || !(keyColumn in data) || String(data[keyColumn]) === doubt.reminder.key;
}

/** The candidates a reminder doubt could be matched to: its number's REST-started Executions since its doubt, not known. */
export function reminderCandidates(doubts: readonly Doubt[], executions: readonly Execution[], knownSids: ReadonlySet<string>): string[] {
  const reminderDoubts = doubts.filter((d) => d.reminder !== undefined);
  return executions
    .filter((e) => !knownSids.has(e.sid) && reminderDoubts.some((d) => d.to === e.contact_channel_address && createdSince(e, d.since)))
    .map((e) => e.sid);
}
