import type { ContactColumns } from "../contacts/rules.js";
import type { ResultsColumn } from "../flow/results-columns.js";
import type { Outcome } from "../flow/outcome.js";
import type { Schedule } from "../schedule/schedule.js";
import type { RowFilters } from "../contacts/row-filters.js";
import type { CsvFormat } from "../contacts/csv-format.js";
import type { Intents } from "../flow/reply-intent.js";

/**
 * What a `409` (an Execution already active for the To/From) does: `skip` the contact, end the
 * other Execution and create again, or — a standing campaign's default (docs/reference.md §16) — `wait`: the
 * reminder stays pending and a later run tries again until its deadline.
 */
export type ConflictPolicy = "skip" | "end-and-retry" | "wait";
export type Weekday = "sun" | "mon" | "tue" | "wed" | "thu" | "fri" | "sat";

export interface SendWindow {
  /** The window's zone. With `recipient`, the fallback zone (may be undefined). */
  timezone: string;
  /** `"timezone": "recipient"`: each contact's own zone(s) (docs/reference.md §3). */
  recipient: boolean;
  /** With `recipient`: the zone of a number that maps to none (else such a row is invalid). */
  fallbackTimezone: string | undefined;
  /** Minutes after midnight. */
  startMinute: number;
  endMinute: number;
  days: ReadonlySet<Weekday>;
}

export interface Campaign {
  name: string;
  flowSid: string;
  from: string;
  contactsPath: string;
  /** Where the ledger is: a file path, or a `postgres://` URL (docs/reference.md §15); `campaignLedger` opens it. */
  ledgerPath: string;
  defaultRegion: string | undefined;
  onConflict: ConflictPolicy;
  /**
   * `senderMps`: messages per second one sender can send; creates per sender are paced to
   * `senderMps ÷ messagesPerContact` (docs/reference.md §3). Unset: no per-sender pace.
   */
  rate: {
    perSecond: number;
    concurrency: number;
    senderMps: number | undefined;
    messagesPerContact: number;
    /** docs/reference.md §13: messages a day at most (a create counts `messagesPerContact`), the day in `dayZone`; `capKey` shares it through Redis. */
    maxPerDay: number | undefined;
    dayZone: string;
    capKey: string | undefined;
  };
  /** `maxRetryAfterMs`: the cap on a 429's Retry-After (campaign key `retry.maxRetryAfter`, seconds). */
  retry: { maxAttempts: number; maxRetryAfterMs: number };
  columns: ContactColumns;
  parameters: Record<string, string | number | boolean>;
  suppressPath: string | undefined;
  /**
   * The opt-out list shared by campaigns (docs/reference.md §12): `optOuts` (a path or a `postgres://` URL);
   * by default the ledger's database when the ledger is in PostgreSQL, else `opt-outs.csv`
   * beside the campaign file. Opened with `openOptOutStore`; shown by its store's label.
   */
  optOutsLocation: string;
  window: SendWindow | undefined;
  /** Report columns of contacts' answers, column → path into the Execution Context (docs/reference.md §11). */
  results: ResultsColumn[] | undefined;
  /** Redis URL to share the account's rate limit (`--redis` overrides). */
  redis: string | undefined;
  /**
   * A follow-up campaign (docs/reference.md §13): its contacts are another campaign's, chosen by outcome, once
   * `after` has passed since their Execution was created. Its `contactsPath` is then the list
   * it keeps of them (`<name>.contacts.csv` beside the campaign file, append-only).
   */
  followUpOf: FollowUpRule | undefined;
  /** A standing campaign (docs/reference.md §16): reminders due relative to each row's appointment time. */
  schedule: Schedule | undefined;
  /** `exclude` / `only` (docs/reference.md §17): the rows a campaign leaves out by a cell's value. */
  filters: RowFilters | undefined;
  /** `csv` (docs/reference.md §17): how the contacts file is written — its delimiter (detected when unset) and encoding. */
  csv: CsvFormat;
  /** `dateFormat` (docs/reference.md §17): how the export writes its date-time cells; ISO 8601 when unset. */
  dateFormat: string | undefined;
  /** `locale` (docs/reference.md §17): the display times' language when a row's `columns.locale` cell gives none. */
  locale: string;
  /** `replies` (docs/reference.md §19): what a contact's reply means, and what it stops. */
  replies: RepliesRule | undefined;
}

/** `replies` (docs/reference.md §19). */
export interface RepliesRule {
  /** The reply's path in the Execution Context (`widgets.confirm.inbound.Body`). */
  from: string;
  intents: Intents;
  /** Intents whose reply cancels the appointment's later reminders. */
  stopRemindersOn: ReadonlySet<string>;
  /** A late reply counts this long after its Execution was created (as written, and in ms). */
  lateWithin: string;
  lateWithinMs: number;
}

export interface FollowUpRule {
  /** The source campaign file, resolved. */
  campaignPath: string;
  outcomes: ReadonlySet<Outcome>;
  /** As written (`48h`), and in ms. */
  after: string;
  afterMs: number;
}

/** Defaults of the campaign file, one place (docs/reference.md §2–§3). */
export const CAMPAIGN_DEFAULTS = {
  onConflict: "skip" as ConflictPolicy,
  perSecond: 20,
  concurrency: 10,
  maxAttempts: 5,
  /** A 429's Retry-After is obeyed up to this many seconds. */
  maxRetryAfterSeconds: 60,
  /** US 10DLC daily caps reset at midnight Pacific. */
  dayZone: "America/Los_Angeles",
  toColumn: "to",
};

export const WEEKDAYS: readonly Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
