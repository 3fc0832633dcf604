import { emptyCounts, type RowStatus, type StatusCounts } from "../../ledger/row-status.js";
import { type RunSummary } from "./run-events.js";
import { localIso } from "../../contacts/zoned-time.js";
import { LaterCount } from "../plan/later-count.js";

type ThisRun = RunSummary["thisRun"];

/** The `thisRun` field a status recorded by this run counts in (`pending` and `cancelled` are never recorded). */
const THIS_RUN_FIELD: Record<Exclude<RowStatus, "pending" | "cancelled">, keyof ThisRun> = {
  created: "created",
  conflict_skipped: "conflictSkipped",
  failed: "failed",
  expired: "expired",
  opted_out: "optedOut",
  invalid: "invalid",
  duplicate: "duplicate",
  suppressed: "suppressed",
  excluded: "excluded",
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
  excluded: 0,
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
  /** A standing campaign's reminders (docs/reference.md §16): due when decided, left waiting on a busy number, not due yet, and the next due. */
  readonly schedule = { due: 0, waiting: 0 };
  readonly #later = new LaterCount();

  /** A row whose status an earlier run decided (or that this run leaves pending). */
  carried(status: RowStatus, n = 1): void {
    this.counts[status] += n;
  }

  /** A row whose status this run recorded in the ledger. */
  recorded(status: RowStatus): void {
    this.counts[status]++;
    if (status !== "pending" && status !== "cancelled") this.thisRun[THIS_RUN_FIELD[status]]++;
  }

  /** A reminder not due yet: when it will be (the summary names the next due time, and how many are due then). */
  later(dueAt: number, wakeAt: number = dueAt): void {
    this.#later.add(dueAt, wakeAt);
  }

  /** Many reminders not due yet, counted together. */
  laters(count: LaterCount): void {
    this.#later.merge(count);
  }

  /** The first moment a reminder counted later needs a run. */
  get wakeAt(): number {
    return this.#later.wakeAt;
  }

  /** The summary's schedule part, for a standing campaign: the next due time as people in `zone` read it (docs/reference.md §17). */
  scheduleSummary(zone: string): NonNullable<RunSummary["schedule"]> {
    const { due, waiting } = this.schedule;
    const { count: later, nextDueAt, nextDueCount } = this.#later;
    return {
      due,
      sent: this.thisRun.created,
      waiting,
      cancelled: this.counts.cancelled,
      expired: this.thisRun.expired,
      later,
      nextDueAt: Number.isFinite(nextDueAt) ? localIso(nextDueAt, zone) : undefined,
      nextDueCount,
    };
  }

  /** Create requests that left, and how many were answered 429. */
  requests(sent: number, rateLimited: number): void {
    this.thisRun.requests += sent;
    this.thisRun.rateLimited += rateLimited;
  }
}
