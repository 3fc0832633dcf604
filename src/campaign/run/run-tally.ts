import { emptyCounts, type RowStatus, type RunSummary, type StatusCounts } from "./run-events.js";

type ThisRun = RunSummary["thisRun"];

/** The `thisRun` field a status recorded by this run counts in (`pending` is never recorded). */
const THIS_RUN_FIELD: Record<Exclude<RowStatus, "pending">, keyof ThisRun> = {
  created: "created",
  conflict_skipped: "conflictSkipped",
  failed: "failed",
  expired: "expired",
  opted_out: "optedOut",
  invalid: "invalid",
  duplicate: "duplicate",
  suppressed: "suppressed",
};

export const emptyThisRun = (): ThisRun => ({
  created: 0,
  conflictSkipped: 0,
  failed: 0,
  expired: 0,
  optedOut: 0,
  invalid: 0,
  duplicate: 0,
  suppressed: 0,
  requests: 0,
  rateLimited: 0,
});

/**
 * The one owner of a run's counts: every row of the CSV by its status after the run
 * (`counts`), and what this run itself recorded (`thisRun`). The sender and the settler
 * return outcomes; only the run loop reports them here.
 */
export class RunTally {
  readonly counts: StatusCounts = emptyCounts();
  readonly thisRun: ThisRun = emptyThisRun();

  /** A row whose status an earlier run decided (or that this run leaves pending). */
  carried(status: RowStatus, n = 1): void {
    this.counts[status] += n;
  }

  /** A row whose status this run recorded in the ledger. */
  recorded(status: RowStatus): void {
    this.counts[status]++;
    if (status !== "pending") this.thisRun[THIS_RUN_FIELD[status]]++;
  }

  /** Create requests that left, and how many were answered 429. */
  requests(sent: number, rateLimited: number): void {
    this.thisRun.requests += sent;
    this.thisRun.rateLimited += rateLimited;
  }
}
