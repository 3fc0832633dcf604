import type { ContactStatus } from "./contact-state.js";

/** Statuses of the report (SPEC §6): a contact's, or a row never sent (invalid, duplicate, suppressed). */
export type RowStatus = ContactStatus | "invalid" | "duplicate" | "suppressed";
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
];

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
});
