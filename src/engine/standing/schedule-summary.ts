/**
 * A standing campaign's run (docs/reference.md §16): reminders due when it began, sent, left waiting on a
 * busy number, cancelled (their appointment left the file), expired by it; not due yet, and when
 * the next is due and how many are due then. The summary's `counts.pending` is the due ones left unsent.
 */
export interface ScheduleSummary {
  due: number;
  sent: number;
  waiting: number;
  cancelled: number;
  expired: number;
  later: number;
  nextDueAt: string | undefined;
  nextDueCount: number;
  /** Of the due ones, held by the send window; and of those, how many reach their deadline before it opens. */
  held?: number;
  expiring?: number;
  /** Appointments this tick read as another time from the same cells, after a campaign change (docs/reference.md §17). */
  reread?: number;
  /** Rows of a re-export taken as the last tick left them, byte for byte, without parsing them (docs/reference.md §16; `--json` only). */
  unchangedRows?: number;
  /**
   * The export, the ledger and the campaign file as the last tick left them, and nothing due
   * before its next due time: the tick read neither the export's rows nor the ledger.
   */
  unchanged?: boolean;
}
