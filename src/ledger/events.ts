/**
 * The ledger's lines (docs/reference.md §5). One JSON object per line, append-only. `at` is ISO 8601 UTC.
 * A contact's events carry `to` and `from` (its key) and the CSV `row` where it was first seen.
 */

import type { Outcome } from "../flow/outcome.js";
import type { ContactReply } from "../flow/contact-reply.js";

/** First line: binds the ledger to one campaign. */
export interface CampaignHeader {
  t: "campaign";
  v: 1;
  name: string;
  flowSid: string;
  from: string;
  account: string;
  at: string;
}

/** A row that will never be sent: invalid, duplicate or suppressed. */
export interface RowSkipped {
  t: "row";
  row: number;
  status: "invalid" | "duplicate" | "suppressed" | "excluded";
  to: string;
  from: string;
  reason: string;
  at: string;
}

/** Every line about a unit names it: its row (as first seen), To and From, and a reminder's appointment key, name and time (docs/reference.md §16). */
interface ContactEvent {
  row: number;
  to: string;
  from: string;
  key?: string | undefined;
  reminder?: string | undefined;
  appointmentAt?: string | undefined;
  at: string;
}

/**
 * A standing campaign saw an appointment (docs/reference.md §16): its key, its time, the zone its wall clock is
 * read in, and whom it is for — written when the file first shows it, and again whenever the
 * time, the zone or the contact changes. The latest line of a key is the appointment as the
 * ledger knows it: a key that leaves the file cancels its reminders that have no Execution.
 */
export interface AppointmentSeen {
  t: "appointment";
  row: number;
  key: string;
  appointmentAt: string;
  zone: string;
  to: string;
  from: string;
  at: string;
  /**
   * The appointment left the export (docs/reference.md §16, §17) — missing, or excluded by a cell
   * (`Status is "Cancelled"`) — and its unsent reminders are cancelled: why. Seen again, it is
   * recorded again without it.
   */
  left?: string;
  /** The export's cells the time was read from (the `at` cell, and a zone cell), as written. */
  cells?: string;
  /**
   * The same cells were first read as this time (ISO 8601 UTC), and read as `appointmentAt` after
   * a campaign change (a zone, a format): a re-reading, not a move — a reminder sent for the first
   * reading is not sent again for this one (docs/reference.md §17).
   */
  rereadFrom?: string;
}

/** Written and flushed before the create request leaves. `n` counts this contact's attempts. */
export interface AttemptStarted extends ContactEvent {
  t: "attempt";
  n: number;
}

export interface ExecutionCreated extends ContactEvent {
  t: "created";
  sid: string;
  http: number;
}

/** How the Execution was found after an in-doubt attempt (reconciliation). */
export interface ExecutionAdopted extends ContactEvent {
  t: "adopted";
  sid: string;
  via: "list" | "conflict";
}

/**
 * A 409: skipped (final), the conflicting Execution ended before trying again, or — a standing
 * campaign's reminder (docs/reference.md §16) — waiting: pending, tried again by a later run.
 */
export interface ConflictMet extends ContactEvent {
  t: "conflict";
  sid: string;
  action: "skipped" | "ended" | "waiting";
  http: 409;
  code: number | null;
}

/**
 * An attempt that created nothing: `final` ones make the contact `failed`; the others leave it
 * pending for a retry in this run or the next. `http` and `code` are Studio's answer, `null` when
 * no answer decided it (a request that never left, a doubt List settled as not created, a
 * conflict that could not be resolved now).
 */
export interface AttemptFailed extends ContactEvent {
  t: "failed";
  final: boolean;
  /** A failure worth retrying later (5xx, 429, network) as opposed to a rejection (4xx). */
  transient: boolean;
  http: number | null;
  code: number | null;
  message: string;
}

/** The attempt's outcome is unknown: it may have created an Execution. */
export interface AttemptInDoubt extends ContactEvent {
  t: "in_doubt";
  message: string;
}

/** A List found no Execution for an in-doubt contact: nothing was created, it may be sent again. */
export interface DoubtCleared extends ContactEvent {
  t: "cleared";
}

/** Its `notAfter` deadline passed before it was created: never sent (docs/reference.md §3, §6). Final. */
export interface ContactExpired extends ContactEvent {
  t: "expired";
  /** The deadline, ISO 8601 UTC. */
  deadline: string;
}

/** On the opt-out list when its turn came (docs/reference.md §12): not sent. Final until the contact opts back in. */
export interface ContactOptedOut extends ContactEvent {
  t: "opted_out";
}

/** An attempt recorded but never sent: its deadline passed while it waited out a 429 hold (then `expired`). */
export interface AttemptWithdrawn extends ContactEvent {
  t: "withdrawn";
}

/**
 * `status`/`end` learned an Execution's state. `row`, second in the line, is the row of the unit
 * that created it (a report routes the line by it without a table of SIDs; older lines lack it).
 */
export interface ExecutionStatusSeen {
  t: "exec";
  row?: number;
  sid: string;
  status: "active" | "ended";
  at: string;
}

/**
 * The flow preflight read the flow (docs/reference.md §10): which published revision Executions run, and the
 * facts later commands need offline — its Send & Wait For Reply widgets (docs/reference.md §11).
 */
export interface FlowChecked {
  t: "flow";
  sid: string;
  revision: number;
  questions: string[];
  at: string;
}

/**
 * `results` read an Execution's Context: the value at each results path (absent: not there).
 * `final` once the Execution had ended: it is never fetched again. `gone`: Studio no longer
 * has it (404, past its retention).
 */
export interface ResultsRecorded {
  t: "results";
  /** As an `exec` line's: the row of the unit that created the Execution, second in the line. */
  row?: number;
  sid: string;
  values: Record<string, unknown>;
  final: boolean;
  gone?: true;
  /** What happened to the contact (docs/reference.md §12), read from the Steps once the Execution had ended. */
  outcome?: RecordedOutcome;
  at: string;
}

export interface RecordedOutcome {
  outcome: Outcome;
  /** The widget whose event decided it ("" for unknown). */
  widget: string;
  /** The failed message's Twilio error code (undelivered, or a 21610 opt-out); null when none is known. */
  errorCode: number | null;
  /** When the contact first answered (ISO 8601, from its Step), for the report's answers over time. */
  answeredAt?: string;
}

/**
 * A contact's reply (docs/reference.md §19), what `results` found of it: the text at the campaign's
 * `replies.from` path of an ended Execution's Context, or a late one — the first inbound message
 * after the Execution stopped waiting, read once from the Messages resource; `reply` null when
 * that late lookup found none (it is never made again). A reminder's line names its appointment
 * (`key`, `appointmentAt`): a reply can cancel that appointment's later reminders.
 */
export interface ReplyRecorded {
  t: "reply";
  /** As an `exec` line's: the row of the unit that created the Execution, second in the line. */
  row?: number;
  sid: string;
  key?: string;
  appointmentAt?: string;
  reply: ContactReply | null;
  at: string;
}

/**
 * `confirmations` handed a record to the booking system (docs/reference.md §19): written once the
 * file holding it was renamed into place, or its webhook request answered — a 2xx, or a
 * rejection (another 4xx, `rejected`). `record` names it (an appointment's key, a survey's row),
 * `version` which reply it was: a record is handed again only when its reply changes.
 */
export interface RecordHanded {
  t: "handed";
  record: string;
  appointmentAt?: string;
  sid: string;
  version: string;
  via: "file" | "webhook";
  http?: number;
  rejected?: true;
  at: string;
}

/** An Execution's lines name the row that created it, right after their type (see `ExecutionStatusSeen`). */
export function executionRow(execution: { row?: number | undefined }): { row?: number } {
  return execution.row === undefined ? {} : { row: execution.row };
}

export type LedgerEvent =
  | CampaignHeader
  | AppointmentSeen
  | FlowChecked
  | ResultsRecorded
  | ReplyRecorded
  | RecordHanded
  | RowSkipped
  | AttemptStarted
  | ExecutionCreated
  | ExecutionAdopted
  | ConflictMet
  | AttemptFailed
  | AttemptInDoubt
  | AttemptWithdrawn
  | ContactExpired
  | ContactOptedOut
  | DoubtCleared
  | ExecutionStatusSeen;
