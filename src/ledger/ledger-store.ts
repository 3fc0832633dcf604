import type { AppointmentBook } from "./appointment-book.js";
import type { Checkpoint, ReadCheckpoint } from "./checkpoint.js";
import type { LedgerEvent } from "./events.js";
import type { ReportSource } from "./report-source.js";

/**
 * The ledger port (docs/reference.md §5, §15): one campaign's append-only events, wherever they are kept — a
 * JSONL file on this machine (`FileLedger`), or a table in PostgreSQL shared by every machine
 * (`PostgresLedger`). Nothing above `ledger/` knows which one it has: `openLedgerStore` picks it
 * from the location. A position is where the ledger ends: a file's length in bytes, a table's
 * last event id; events after a position are what a rerun reads on top of a checkpoint.
 */
export interface LedgerStore {
  /** For messages: the file's path, or the URL without its password, and the campaign. */
  readonly label: string;
  exists(): Promise<boolean>;
  /**
   * One run per campaign at a time; a second one fails with `LockHeldError` (exit 75) naming the
   * holder. The lock is the session that appends: only its holder can open a writer.
   */
  lock(): Promise<LedgerLockHandle>;
  /** The events in order, a batch at a time, after `from` (0: all); `scan` learns where they end (and of a torn tail). */
  batches(scan?: LedgerScan, from?: number): AsyncGenerator<LedgerEvent[]>;
  /** The same events as complete JSON lines (each ending with "\n"), for readers that look into lines (the report). */
  text(scan?: LedgerScan, from?: number): AsyncGenerator<string>;
  /** Where the ledger ends now, and what identifies it up to a position (the checkpoint's check that it only grew). */
  end(): Promise<number>;
  identity(position: number): Promise<{ head: string; tail: string }>;
  /** The checkpoint, its key table (`table: false`: not read) and a standing campaign's packed appointments. */
  readCheckpoint(options?: { table?: boolean }): Promise<ReadCheckpoint | undefined>;
  writeCheckpoint(checkpoint: Checkpoint, table: Float64Array, appointments?: AppointmentBook): Promise<void>;
  /**
   * A small note kept beside the checkpoint, a cache like it (a standing campaign's last tick:
   * until when nothing can be due). Undefined when absent or unreadable.
   */
  readNote(name: string): Promise<string | undefined>;
  /** With `data`: bytes kept with the text (a standing tick's row cache), read back by `readNoteData`. */
  writeNote(name: string, text: string, data?: readonly Uint8Array[]): Promise<void>;
  readNoteData(name: string): Promise<{ text: string; data: Uint8Array } | undefined>;
  /** The report's reading of the ledger, a range of `rowsPerRange` rows at a time (close it when done). */
  openReport(rowsPerRange: number): Promise<ReportSource>;
  /**
   * The events of the given types whose `at` is at or after `since` (ms), newest first, at the
   * cost of those events (a file is read from its end backwards; a table by index): the daily
   * cap's attempts today, the Executions created since a doubt.
   */
  recentEvents(since: number, types: ReadonlySet<LedgerEvent["t"]>): AsyncGenerator<LedgerEvent>;
}

/** The ledger's lock, held: the one session that may append (in PostgreSQL, the connection that holds the lock writes the events). */
export interface LedgerLockHandle {
  /** Append. `validEnd`: what the fold read; anything past it (a torn tail) is cut first. */
  openWriter(validEnd: number | undefined): Promise<LedgerWriter>;
  release(): Promise<void>;
}

/**
 * Appends events with group commit: every event handed in while a commit is under way goes into
 * the next one. `append` resolves once its event is durable (fsynced, or committed with
 * `synchronous_commit` on), so a caller that awaits it knows the event will survive a crash —
 * an attempt is durable before its request leaves (docs/reference.md §5).
 */
export interface LedgerWriter {
  append(event: LedgerEvent): Promise<void>;
  /** Events appended together, in order (one promise for all: a plan records thousands at a time). */
  appendAll(events: readonly LedgerEvent[]): Promise<void>;
  /** Resolves when everything appended so far is durable. */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Whether a write failed: what is in memory may then be ahead of the ledger. */
  readonly failed: boolean;
}

/** What a reading of the ledger learned of where it ends. */
export interface LedgerScan {
  /** Byte length of the complete lines: a torn tail beyond it is to be cut before appending. */
  validBytes: number;
  tornTail: boolean;
}
