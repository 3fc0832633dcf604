import { AS_INPUT, csvRecord, type CsvStyle } from "../contacts/csv-writer.js";
import { StudioCampaignError, errnoCode } from "../errors.js";

/**
 * The opt-out list shared by campaigns (docs/reference.md §12): append-only entries, `number,at,campaign,
 * event,reason`; `event` is `opt_out` or `opt_in`; `reason` is the keyword the contact sent
 * (`STOP`, `START`…), `21610` (a message refused because the number had opted out), or how an
 * operator brought it in (`added`, `imported`). A number's latest entry decides.
 *
 * Twilio blocks an opted-out number only for the sender it replied to (or the whole Messaging
 * Service) and offers no API that lists them: this list is how a STOP outlives its campaign.
 * It is a file beside the campaigns, or — where the ledger is shared — a table in PostgreSQL,
 * shared by every campaign and machine that uses it (`openOptOutStore`).
 */
export const OPT_OUT_COLUMNS = ["number", "at", "campaign", "event", "reason"] as const;

export interface OptOutEntry {
  /** E.164, without a channel prefix: an opt-out holds for the person on every channel. */
  number: string;
  at: string;
  campaign: string;
  event: "opt_out" | "opt_in";
  reason: string;
}

/** One place the list is kept: a file, or a table. */
export interface OptOutStore {
  /** Where it is, for messages: a path, or a URL without its password. */
  readonly label: string;
  /**
   * The entries appended after `position` (0: from the start), in the order they were committed,
   * and the position after them: a run reads what is new, never the whole list again.
   * `restarted`: the list is shorter than `position` (a file edited by hand): these entries are
   * all of it, from the start.
   */
  readSince(position: number): Promise<{ entries: OptOutEntry[]; position: number; restarted?: boolean }>;
  /** Append, durable (fsynced, committed) when it resolves; several processes may append at once. */
  append(entries: readonly OptOutEntry[]): Promise<void>;
  /**
   * What a checkpoint's fingerprint takes of the list: it changes at least whenever an opt-in is
   * added — the one entry that can re-open a row already recorded `opted_out` (a new opt-out
   * touches no final row: the rows still open are read again anyway, and the list with them).
   */
  identity(): Promise<string>;
  close(): Promise<void>;
}

/** The number an address is kept under in the list: `whatsapp:+1…` is the person `+1…`. */
export function optOutNumber(address: string): string {
  return address.replace(/^[a-z]+:/i, "");
}

/** An entry as the list's line (read back by the tool: values kept), or as a row for people (`style`). */
export function entryLine(entry: OptOutEntry, style: CsvStyle = AS_INPUT): string {
  return csvRecord([entry.number, entry.at, entry.campaign, entry.event, entry.reason], style);
}

/** The list could not be read or written: nothing is sent while it cannot be read (exit 75: rerun once it is cleared). */
export class OptOutListError extends StudioCampaignError {
  override readonly name = "OptOutListError";

  constructor(label: string, action: string, cause: unknown) {
    const detail = errnoCode(cause) ?? (cause instanceof Error ? cause.message : String(cause));
    super("OPT_OUTS_IO", `${label}: the opt-out list could not ${action} (${detail}): fix it and run again`, { cause });
  }
}
