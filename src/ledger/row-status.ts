import type { UnitStatus } from "./fold.js";

/**
 * Statuses of the report (docs/reference.md §6): a unit's, a row never sent (invalid, duplicate, suppressed),
 * or a standing campaign's reminder whose appointment left the file (cancelled, docs/reference.md §16).
 */
export type RowStatus = UnitStatus | "invalid" | "duplicate" | "suppressed" | "excluded" | "cancelled";
export const ROW_STATUSES: readonly RowStatus[] = [
  "pending",
  "created",
  "conflict_skipped",
  "failed",
  "expired",
  "opted_out",
  "invalid",
  "duplicate",
  "suppressed",
  "excluded",
  "cancelled",
];

/**
 * A contact's statuses that no later run changes (the checkpoint's final prefix may pass them).
 * `opted_out` too: an opt-in changes the opt-out list, which the checkpoint's fingerprint covers,
 * so the prefix is not used then.
 */
const FINAL_CONTACT_STATUSES: ReadonlySet<string> = new Set<UnitStatus>(["created", "conflict_skipped", "failed", "expired", "opted_out"]);

/** Is `status` (a contact's, or what its send ended in) one no later run changes? */
export function isFinalContactStatus(status: string): status is Exclude<UnitStatus, "pending"> {
  return FINAL_CONTACT_STATUSES.has(status);
}

export type StatusCounts = Record<RowStatus, number>;
export const emptyCounts = (): StatusCounts => ({
  pending: 0,
  created: 0,
  conflict_skipped: 0,
  failed: 0,
  expired: 0,
  opted_out: 0,
  invalid: 0,
  duplicate: 0,
  suppressed: 0,
  excluded: 0,
  cancelled: 0,
});
