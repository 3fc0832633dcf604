import { open, stat } from "node:fs/promises";
import { AS_INPUT, csvRecord, type CsvCell } from "../../contacts/csv-writer.js";
import { openContactRows } from "../../contacts/pipeline.js";
import { unitKey } from "../../contacts/unit.js";
import { loadCampaignOptOuts } from "../../campaign/campaign-opt-outs.js";
import { openContactsCsv } from "../../contacts/read-csv.js";
import { CampaignInputError, errnoCode } from "../../errors.js";
import type { Campaign } from "../../campaign/campaign.js";
import { readCampaignExecutions } from "../results/created-executions.js";
import type { CreatedExecution } from "../../ledger/fold.js";
import { FOLLOW_UP_COLUMNS, loadCampaign } from "../../campaign/load-campaign.js";
import { campaignLedger } from "../../campaign/campaign-ledger.js";
import type { CampaignKind } from "../kinds/campaign-kind.js";
import { kindOf } from "../kinds/kind-of.js";
import { withReminder } from "../standing/reminder-parameter.js";
import { decideFollowUp, type FollowUpVerdict, type SourceContact } from "./follow-up-target.js";

/** Where a follow-up stands (docs/reference.md §13): what `validate` prints, and what a run lists. */
export interface FollowUpTally {
  source: string;
  /** Contacts that qualify now: on the list already, or added now (or, without writing, that would be). */
  qualifying: number;
  /** Of those, added to the list by this call (or that a run would add). */
  added: number;
  byVerdict: Record<Exclude<FollowUpVerdict, "qualifies">, number> & {
    /** A standing source's reminder whose appointment has since left the export or moved: never followed up. */
    "appointment-changed": number;
  };
  /** When the next contact waiting for `after` qualifies (ms), if any waits. */
  nextQualifiesAt: number | undefined;
}

const FIRST_COLUMNS = ["source_row", "to"] as const;
const { sourceReminder: SOURCE_REMINDER } = FOLLOW_UP_COLUMNS;
/** A standing source's list also names the reminder each row follows up (its unit, docs/reference.md §16). */
const REMINDER_COLUMNS = [SOURCE_REMINDER.key, SOURCE_REMINDER.name, SOURCE_REMINDER.appointmentAt] as const;

/**
 * A follow-up's contacts file: the source campaign's contacts that qualify (by outcome, `after`,
 * not active, not opted out), each with the source row's Parameters, kept beside the follow-up's
 * campaign file as `<name>.contacts.csv` (0600: phone numbers). It is append-only — a contact,
 * once listed, stays listed, and new ones are added at the end in source-row order — so the run
 * loop reads it as any contacts CSV (checkpoint, resume, dry-run, report), and a cron rerun
 * reads only what was added. The follow-up's own static `parameters` are merged over the source's
 * (a key it gives is not written to the file, so its value wins). With `write: false` (validate,
 * --dry-run) nothing is written: the tally says what a run would add.
 *
 * A standing source's (docs/reference.md §16): one row per reminder followed up — a person reminded of three
 * appointments may be followed up three times — naming it; only while its appointment is in the
 * export at the time it was reminded for (never a follow-up about a cancelled or moved one), with
 * the Parameters of that row and `reminder`.
 */
export async function refreshFollowUpList(campaign: Campaign, options: { now: number; write: boolean }): Promise<FollowUpTally> {
  const rule = campaign.followUpOf;
  if (!rule) throw new Error(`${campaign.name} is not a follow-up`);
  const source = await loadSource(rule.campaignPath, campaign);
  const sourceKind = await kindOf(source);
  const { executions } = await readCampaignExecutions(campaignLedger(source));
  await using optedOut = await loadCampaignOptOuts(campaign, options.now);
  const tally: FollowUpTally = {
    source: source.name,
    qualifying: 0,
    added: 0,
    byVerdict: {
      "waiting-after": 0,
      "waiting-active": 0,
      "waiting-outcome": 0,
      "other-outcome": 0,
      "unknown-outcome": 0,
      "opted-out": 0,
      "appointment-changed": 0,
    },
    nextQualifiesAt: undefined,
  };
  const listed = await listedContacts(campaign.contactsPath);
  const wanted = new Map<string, SourceContact>();
  for (const execution of executions.values()) {
    const contact = sourceContact(execution);
    const verdict = decideFollowUp(contact, rule, options.now, optedOut.has(contact.to));
    if (verdict !== "qualifies") {
      tally.byVerdict[verdict]++;
      if (verdict === "waiting-after")
        tally.nextQualifiesAt = Math.min(tally.nextQualifiesAt ?? Infinity, contact.createdAt + rule.afterMs);
      continue;
    }
    if (!listed.ids.has(listedId(contact))) wanted.set(sourceRowKey(contact, execution.from ?? source.from), contact);
    else tally.qualifying++;
  }
  const found = wanted.size === 0 ? undefined : await sourceRows(campaign, { source, kind: sourceKind }, wanted, listed.header);
  const added = found?.rows.length ?? 0;
  tally.added = added;
  tally.qualifying += added;
  // A standing source's reminder not found at its time: its appointment was cancelled or moved since.
  tally.byVerdict["appointment-changed"] = sourceKind.reminderColumns ? wanted.size - added : 0;
  // A new list is created even when nobody qualifies yet: the run then reads an empty contacts file.
  if (options.write && (added > 0 || listed.header === undefined))
    await appendToList(
      campaign.contactsPath,
      found ?? { columns: await newListColumns(campaign, { source, kind: sourceKind }), rows: [] },
      listed.header,
    );
  return tally;
}

async function loadSource(file: string, campaign: Campaign): Promise<Campaign> {
  let source: Campaign;
  try {
    source = await loadCampaign(file);
  } catch (err) {
    throw new CampaignInputError(`followUpOf.campaign: ${(err as Error).message}`, { cause: err });
  }
  if (source.ledgerPath === campaign.ledgerPath && source.name === campaign.name)
    throw new CampaignInputError(`followUpOf.campaign: ${file} is this campaign itself`);
  return source;
}

function sourceContact(execution: CreatedExecution): SourceContact {
  return {
    row: execution.row ?? 0,
    to: execution.to,
    createdAt: execution.at,
    status: execution.status,
    outcome: execution.results?.outcome?.outcome,
    reminder: execution.reminder,
  };
}

/** What the list knows a contact by: its number, or a standing source's reminder. */
function listedId(contact: Pick<SourceContact, "to" | "reminder">): string {
  return contact.reminder ? `${contact.reminder.key}|${contact.reminder.name}|${contact.reminder.appointmentAt}` : contact.to;
}

/** The source row a contact comes from, as the pipeline keys it: its unit, or a standing source's appointment key. */
function sourceRowKey(contact: SourceContact, from: string): string {
  return contact.reminder ? listedId(contact) : unitKey({ to: contact.to, from });
}

/** The list's header and the contacts already on it: none when it does not exist yet. */
async function listedContacts(file: string): Promise<{ header: string[] | undefined; ids: Set<string> }> {
  try {
    await stat(file);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return { header: undefined, ids: new Set() };
    throw err;
  }
  const csv = await openContactsCsv(file, "to");
  const ids = new Set<string>();
  const reminders = csv.header.includes(SOURCE_REMINDER.key);
  for await (const record of csv.records) {
    if (!("fields" in record)) continue;
    const { fields } = record;
    const reminder = {
      key: fields[SOURCE_REMINDER.key] ?? "",
      name: fields[SOURCE_REMINDER.name] ?? "",
      appointmentAt: fields[SOURCE_REMINDER.appointmentAt] ?? "",
    };
    ids.add(listedId({ to: fields.to ?? "", reminder: reminders ? reminder : undefined }));
  }
  return { header: csv.header, ids };
}

/** The source campaign, and its kind: a standing source's units are reminders (docs/reference.md §13, §16). */
interface SourceOf {
  source: Campaign;
  kind: CampaignKind;
}

/** A new list's columns: the contact, the source row, a standing source's reminder, then the source's Parameters not the follow-up's own. */
async function newListColumns(campaign: Campaign, of: SourceOf, parameterKeys?: readonly string[]): Promise<string[]> {
  const { source, kind } = of;
  let keys = parameterKeys;
  if (keys === undefined) {
    const header = await openContactRows(source, { headerOnly: true });
    header.close(); // the header was all it was opened for
    keys = header.parameterKeys;
  }
  const own = new Set(Object.keys(campaign.parameters));
  const first = kind.reminderColumns ? [...FIRST_COLUMNS, ...REMINDER_COLUMNS] : FIRST_COLUMNS;
  return [...first, ...keys.filter((k) => !own.has(k) && !(first as readonly string[]).includes(k))];
}

/**
 * The wanted contacts' lines, in source-row order, with their source rows' Parameters: found in
 * the source's file as it is now (a standing source's reminder, only while its appointment is
 * there at the same time).
 */
async function sourceRows(
  campaign: Campaign,
  of: SourceOf,
  wanted: ReadonlyMap<string, SourceContact>,
  header: string[] | undefined,
): Promise<{ columns: string[]; rows: Array<{ row: number; line: string }> }> {
  const { source } = of;
  const rowsOfSource = await openContactRows(source);
  const parameterKeys = of.kind.parameterKeys(rowsOfSource.parameterKeys);
  const columns = header ?? (await newListColumns(campaign, of, parameterKeys));
  const byAppointment = new Map<string, SourceContact[]>();
  for (const contact of wanted.values()) {
    if (!contact.reminder) continue;
    const ofKey = byAppointment.get(contact.reminder.key);
    if (ofKey) ofKey.push(contact);
    else byAppointment.set(contact.reminder.key, [contact]);
  }
  const rows: Array<{ row: number; line: string }> = [];
  const line = (values: Record<string, unknown>) =>
    csvRecord(
      columns.map((c) => values[c] as CsvCell),
      AS_INPUT,
    );
  try {
    for await (const { verdict, key } of rowsOfSource.rows()) {
      if (verdict.status !== "sendable") continue;
      const { contact: row } = verdict;
      if (row.appointment) {
        const at = new Date(row.appointment.at).toISOString();
        for (const contact of byAppointment.get(row.appointment.key) ?? []) {
          if (contact.reminder!.appointmentAt !== at || contact.to !== row.to) continue;
          const { key: sourceKey, name, appointmentAt } = contact.reminder!;
          const reminderCells = {
            [SOURCE_REMINDER.key]: sourceKey,
            [SOURCE_REMINDER.name]: name,
            [SOURCE_REMINDER.appointmentAt]: appointmentAt,
          };
          rows.push({
            row: row.row,
            line: line({ ...withReminder(row.parameters, name), source_row: row.row, to: row.to, ...reminderCells }),
          });
        }
        continue;
      }
      const contact = key === undefined ? undefined : wanted.get(key);
      if (contact) rows.push({ row: contact.row, line: line({ ...row.parameters, source_row: contact.row, to: contact.to }) });
    }
  } finally {
    rowsOfSource.close();
  }
  rows.sort((a, b) => a.row - b.row);
  return { columns, rows };
}

/** Append the new contacts (with the header, for a new list); fsynced. */
async function appendToList(
  file: string,
  list: { columns: string[]; rows: ReadonlyArray<{ line: string }> },
  header: string[] | undefined,
): Promise<void> {
  const handle = await open(file, "a", 0o600);
  try {
    await handle.write((header ? "" : csvRecord(list.columns, AS_INPUT)) + list.rows.map((r) => r.line).join(""));
    await handle.sync();
  } finally {
    await handle.close();
  }
}
