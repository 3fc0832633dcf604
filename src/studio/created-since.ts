import type { Execution } from "./types.js";

/**
 * Studio shows `date_created` at one-second precision and our clock may differ from Studio's:
 * an Execution counts as created after an attempt if it is no older than the attempt's second
 * minus this skew.
 */
export const CLOCK_SKEW_MS = 2_000;

/** Was the Execution created at or after `since` (ms), as far as Studio's one-second `date_created` and the clocks' skew can tell? */
export function createdSince(execution: Pick<Execution, "date_created">, since: number): boolean {
  const created = execution.date_created ? Date.parse(execution.date_created) : NaN;
  return Number.isFinite(created) && created >= Math.floor(since / 1000) * 1000 - CLOCK_SKEW_MS;
}
