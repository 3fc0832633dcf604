import { open, stat } from "node:fs/promises";
import { AS_INPUT, csvRecord, type CsvCell } from "../../contacts/csv-writer.js";
import { openContactRows } from "../../contacts/pipeline.js";
import { unitKey } from "../../contacts/unit.js";
import { loadOptedOut, optOutNumber } from "../../contacts/opt-out-list.js";
import { openContactsCsv } from "../../contacts/read-csv.js";
import { CampaignInputError, errnoCode } from "../../errors.js";
import type { Campaign } from "../campaign.js";
import { readCampaignExecutions, type CreatedExecution } from "../results/created-executions.js";
import { loadCampaign } from "../load-campaign.js";
import { campaignLedger } from "../campaign-ledger.js";
import { decideFollowUp, type FollowUpVerdict, type SourceContact } from "./follow-up-target.js";

/** Where a follow-up stands (SPEC §13): what `validate` prints, and what a run lists. */
export interface FollowUpTally {
  source: string;
  /** Contacts that qualify now: on the list already, or added now (or, without writing, that would be). */
  qualifying: number;
  /** Of those, added to the list by this call (or that a run would add). */
  added: number;
  byVerdict: Record<Exclude<FollowUpVerdict, "qualifies">, number>;
  /** When the next contact waiting for `after` qualifies (ms), if any waits. */
  nextQualifiesAt: number | undefined;
}

const FIRST_COLUMNS = ["source_row", "to"] as const;

/**
 * A follow-up's contacts file: the source campaign's contacts that qualify (by outcome, `after`,
 * not active, not opted out), each with the source row's Parameters, kept beside the follow-up's
 * campaign file as `<name>.contacts.csv` (0600: phone numbers). It is append-only — a contact,
 * once listed, stays listed, and new ones are added at the end in source-row order — so the run
 * loop reads it as any contacts CSV (checkpoint, resume, dry-run, report), and a cron rerun
 * reads only what was added. The follow-up's own static `parameters` are merged over the source's
 * (a key it gives is not written to the file, so its value wins). With `write: false` (validate,
 * --dry-run) nothing is written: the tally says what a run would add.
 */
export async function refreshFollowUpList(campaign: Campaign, options: { now: number; write: boolean }): Promise<FollowUpTally> {
  const rule = campaign.followUpOf;
  if (!rule) throw new Error(`${campaign.name} is not a follow-up`);
  const source = await loadSource(rule.campaignPath, campaign);
  const { executions } = await readCampaignExecutions(campaignLedger(source));
  const optedOut = await loadOptedOut(campaign.optOutsPath, campaign.defaultRegion);
  const tally: FollowUpTally = {
    source: source.name,
    qualifying: 0,
    added: 0,
    byVerdict: { "waiting-after": 0, "waiting-active": 0, "waiting-outcome": 0, "other-outcome": 0, "unknown-outcome": 0, "opted-out": 0 },
    nextQualifiesAt: undefined,
  };
  const listed = await listedContacts(campaign.contactsPath);
  const wanted = new Map<string, SourceContact>();
  for (const execution of executions.values()) {
    const contact = sourceContact(execution);
    const verdict = decideFollowUp(contact, rule, options.now, optedOut.has(optOutNumber(contact.to)));
    if (verdict !== "qualifies") {
      tally.byVerdict[verdict]++;
      if (verdict === "waiting-after")
        tally.nextQualifiesAt = Math.min(tally.nextQualifiesAt ?? Infinity, contact.createdAt + rule.afterMs);
      continue;
    }
    tally.qualifying++;
    if (!listed.to.has(contact.to)) wanted.set(unitKey({ to: contact.to, from: execution.from ?? source.from }), contact);
  }
  tally.added = wanted.size;
  // A new list is created even when nobody qualifies yet: the run then reads an empty contacts file.
  if (options.write && (wanted.size > 0 || listed.header === undefined)) await appendToList(campaign, source, wanted, listed.header);
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
  };
}

/** The list's header and the contacts already on it (by `to`): none when it does not exist yet. */
async function listedContacts(file: string): Promise<{ header: string[] | undefined; to: Set<string> }> {
  try {
    await stat(file);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return { header: undefined, to: new Set() };
    throw err;
  }
  const csv = await openContactsCsv(file, "to");
  const to = new Set<string>();
  for await (const record of csv.records) if ("fields" in record) to.add(record.fields.to ?? "");
  return { header: csv.header, to };
}

/** Append the new contacts, in source-row order, with the source rows' Parameters; fsynced. */
async function appendToList(campaign: Campaign, source: Campaign, wanted: Map<string, SourceContact>, header: string[] | undefined) {
  const sourceRows = await openContactRows(source);
  const own = new Set(Object.keys(campaign.parameters));
  const columns = header ?? [...FIRST_COLUMNS, ...sourceRows.parameterKeys.filter((k) => !own.has(k))];
  const rows: Array<{ row: number; line: string }> = [];
  for await (const { verdict, key } of sourceRows.rows()) {
    const contact = key === undefined ? undefined : wanted.get(key);
    if (!contact || verdict.status !== "sendable") continue;
    const values: Record<string, unknown> = { ...verdict.contact.parameters, source_row: contact.row, to: contact.to };
    rows.push({
      row: contact.row,
      line: csvRecord(
        columns.map((c) => values[c] as CsvCell),
        AS_INPUT,
      ),
    });
  }
  rows.sort((a, b) => a.row - b.row);
  const file = await open(campaign.contactsPath, "a", 0o600);
  try {
    const text = (header ? "" : csvRecord(columns, AS_INPUT)) + rows.map((r) => r.line).join("");
    await file.write(text);
    await file.sync();
  } finally {
    await file.close();
  }
}
