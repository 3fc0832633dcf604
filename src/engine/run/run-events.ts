import type { RowStatus, StatusCounts } from "../../ledger/row-status.js";
import type { StopReason } from "../../clock.js";
import type { FollowUpTally } from "../follow-up/follow-up-list.js";
import type { ScheduleSummary } from "../standing/schedule-summary.js";

/** What a run tells its renderer (the progress line), and `onEvent` in tests. */
export type RunEvent =
  /** A line for the operator, now (the preflight's verdict, the daily cap's plan, a follow-up's source). */
  | { type: "line"; text: string }
  /**
   * What the run expects to send, by sender (the expected duration, the senders' pace), and the
   * progress bar's total, in units (a standing campaign's total is what is due: 0 here, then one
   * `due` event each).
   */
  | { type: "planned"; toSendBySender: Record<string, number>; total: number; unit: "contact" | "reminder" }
  /** A reminder this run found due (docs/reference.md §17: the progress line's total and ETA are what is due now). */
  | { type: "due" }
  /** A follow-up listed who qualifies now (docs/reference.md §13). */
  | { type: "follow-up"; tally: FollowUpTally }
  | { type: "row"; row: number; status: RowStatus; to: string; detail?: string }
  | { type: "would-send"; row: number; to: string; from: string; parameters: Record<string, unknown> }
  | { type: "settling"; doubts: number }
  /** A 429: the limiter holds `retryAfterMs`; `askedMs` is the server's Retry-After (maybe more, capped). */
  | { type: "rate-limited"; retryAfterMs: number; askedMs: number | undefined }
  | { type: "stopping"; reason: StopReason; message: string }
  /** Something the operator should read, that changes nothing in this run. */
  | { type: "note"; message: string };

export interface RunSummary {
  /** Every row of the CSV by its status after this run. */
  counts: StatusCounts;
  /** What this run recorded. */
  thisRun: {
    created: number;
    conflictSkipped: number;
    failed: number;
    expired: number;
    optedOut: number;
    invalid: number;
    duplicate: number;
    suppressed: number;
    /** Rows left out by `exclude` / `only` (docs/reference.md §17). */
    excluded: number;
    requests: number;
    rateLimited: number;
  };
  stopped: StopReason | undefined;
  stopMessage: string | undefined;
  durationMs: number;
  /** Creates per second over the time this run was sending. */
  achievedRate: number;
  dryRun: boolean;
  /** Rows known final from the checkpoint and not read again (0: the whole CSV was read). */
  skippedFinalRows?: number;
  /** A standing campaign's run (docs/reference.md §16): what was due, sent, waiting, cancelled, expired, and what is next. */
  schedule?: ScheduleSummary;
}
