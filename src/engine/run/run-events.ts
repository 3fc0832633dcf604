import type { RowStatus, StatusCounts } from "../../ledger/row-status.js";

export { emptyCounts, isFinalContactStatus, ROW_STATUSES, type RowStatus, type StatusCounts } from "../../ledger/row-status.js";

import type { StopReason } from "../../clock.js";
import type { FollowUpTally } from "../follow-up/follow-up-list.js";

export type { StopReason } from "../../clock.js";

/** What a run tells its renderer (the progress line), and `onEvent` in tests. */
export type RunEvent =
  /** A line for the operator, now (the preflight's verdict, the daily cap's plan, a follow-up's source). */
  | { type: "line"; text: string }
  /** What the run expects to send, by sender (the expected duration, the senders' pace), and the progress bar's total. */
  | { type: "planned"; toSendBySender: Record<string, number>; total: number }
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
  /**
   * A standing campaign's run (docs/reference.md §16): reminders due when it began, sent, left waiting on a
   * busy number, cancelled (their appointment left the file), expired by it; not due yet, and when
   * the next is due and how many are due then. `counts.pending` is the due ones left unsent.
   */
  schedule?: {
    due: number;
    sent: number;
    waiting: number;
    cancelled: number;
    expired: number;
    later: number;
    nextDueAt: string | undefined;
    nextDueCount: number;
    /**
     * The export, the ledger and the campaign file as the last tick left them, and nothing due
     * before its next due time: the tick read neither the export's rows nor the ledger.
     */
    unchanged?: boolean;
  };
}
