import { openContactRows, type ContactRows } from "../../contacts/pipeline.js";
import { countRecordLines } from "../../contacts/read-csv.js";
import { open } from "node:fs/promises";
import { CampaignInputError, errnoCode } from "../../errors.js";
import type { Campaign } from "../../campaign/campaign.js";
import type { CampaignState } from "../plan/campaign-state.js";
import type { CampaignKind } from "../kinds/campaign-kind.js";

/** What `run` needs before it sends: no row validated (the run's own pass does that, once). */
export interface ContactsSurvey {
  /** Data records after the checkpoint's final prefix (all of them without one). */
  rowsToRead: number;
  /**
   * Of those, the ones that may be sent: less the contacts and rows the ledger holds final. An
   * upper bound (duplicates and invalid rows not yet recorded count), for the progress bar.
   */
  toSendEstimate: number;
  /** Contacts whose earlier attempt may have created an Execution: settled before anything else. */
  inDoubt: number;
  /** Whether anything may be sent or settled: when not, the run creates nothing. */
  mayCreate: boolean;
  parameterKeys: string[];
  /** The contacts file's header. */
  columns: string[];
  /** `toSendEstimate` shared out by sender (a per-row sender's cell as written), for the pace lines. */
  toSendBySender: Record<string, number>;
}

/**
 * `run`'s first look at its contacts (one pass, not two): the contacts file and the
 * suppression list are opened — so their errors surface before anything is sent — and the
 * records after the final prefix are counted for the progress bar, without normalizing a
 * number: an upper bound of what the run sends. With one sender the count is of non-blank
 * lines, without parsing; a per-row sender column needs each record's cell.
 */
export async function surveyContacts(campaign: Campaign, session: { kind: CampaignKind; loaded: CampaignState }): Promise<ContactsSurvey> {
  const { kind, loaded } = session;
  // The suppression file must be readable (its errors surface before anything is sent); it is
  // read, and numbers parsed, by the run's own pass.
  if (campaign.suppressPath !== undefined) await assertReadable(campaign.suppressPath);
  const headerOnly = campaign.columns.from === undefined; // one sender: the records are counted by line, not parsed
  // A standing campaign's file is a snapshot, read whole every run (docs/reference.md §16): no prefix to skip.
  const resume = kind.checkpoint.finalPrefix ? loaded.resume?.csv : undefined;
  const csv = await openContactRows(campaign, { resume, headerOnly }); // the named columns are there
  const rowsBySender = await countBySender(campaign, csv);
  const rowsToRead = [...rowsBySender.values()].reduce((a, b) => a + b, 0);
  let inDoubt = 0;
  let open = 0;
  let final = 0;
  for (const contact of loaded.state.units.values()) {
    if (contact.inDoubt || contact.attemptOpen) inDoubt++;
    if (contact.status === "pending") open++;
    else final++;
  }
  // With a checkpoint, the state and the recorded rows are those after its prefix. A standing
  // campaign's units are its rows' reminders.
  const units = rowsToRead * kind.unitsPerRecord;
  const toSendEstimate = Math.max(0, units - final - loaded.state.skippedRows.size);
  // Any record to read may be a contact to send (the estimate may undercount: a contact final in
  // the ledger may have left the CSV), so the preflight is skipped only when there is none.
  const share = rowsToRead > 0 ? toSendEstimate / rowsToRead : 0;
  // A standing campaign's pace lines would count reminders not due: what is due is known once
  // planned (validate and --dry-run show its pace); none before the run.
  const toSendBySender = kind.paceBeforePlanning
    ? Object.fromEntries([...rowsBySender].map(([from, rows]) => [from, Math.round(rows * share)]))
    : {};
  return {
    rowsToRead,
    toSendEstimate,
    inDoubt,
    // A snapshot with no rows is news too: what the ledger knows of it left (cancelled, or held as a shrunken export).
    mayCreate: rowsToRead > 0 || open > 0 || (!kind.checkpoint.finalPrefix && loaded.state.appointments.size > 0),
    parameterKeys: kind.parameterKeys(csv.parameterKeys),
    columns: csv.header,
    toSendBySender,
  };
}

/** Records to read, by sender: parsed only when a column names each row's sender. */
async function countBySender(campaign: Campaign, csv: ContactRows): Promise<Map<string, number>> {
  const fromColumn = campaign.columns.from;
  if (fromColumn === undefined) {
    csv.close(); // the header was all it was opened for
    const lines = await countRecordLines(campaign.contactsPath, csv.start);
    return new Map(lines > 0 ? [[campaign.from, lines]] : []);
  }
  const rowsBySender = new Map<string, number>();
  for await (const record of csv.records) {
    const from = ("fields" in record ? (record.fields[fromColumn] ?? "").trim() : "") || campaign.from;
    rowsBySender.set(from, (rowsBySender.get(from) ?? 0) + 1);
  }
  return rowsBySender;
}

/** The suppression file can be opened for reading; else the same error as reading it would give. */
async function assertReadable(file: string): Promise<void> {
  try {
    await (await open(file, "r")).close();
  } catch (err) {
    throw new CampaignInputError(`${file}: cannot read the suppression file (${errnoCode(err) ?? (err as Error).message})`, { cause: err });
  }
}
