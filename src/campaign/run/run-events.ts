import type { RowStatus, StatusCounts } from "../../ledger/row-status.js";

export { emptyCounts, isFinalContactStatus, ROW_STATUSES, type RowStatus, type StatusCounts } from "../../ledger/row-status.js";

export type StopReason = "signal" | "max-runtime" | "limit" | "window" | "cap" | "outage" | "auth";

/** What a run tells its renderer (the progress line), and `onEvent` in tests. */
export type RunEvent =
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
}
