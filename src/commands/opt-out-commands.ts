import { readFile } from "node:fs/promises";
import { CampaignInputError, errnoCode } from "../errors.js";
import { normalizeAddress } from "../contacts/phone.js";
import { loadSuppression } from "../contacts/suppression.js";
import { FileOptOutStore } from "../opt-outs/opt-out-file.js";
import { OPT_OUT_COLUMNS, optOutNumber, type OptOutEntry } from "../opt-outs/opt-out-store.js";
import type { Campaign } from "../campaign/campaign.js";
import { campaignOptOutStore } from "../campaign/campaign-opt-outs.js";

/**
 * `opt-outs --add` and `--import` (docs/reference.md §12): opt-outs received elsewhere — a call to the front
 * desk, an email, another system's list — into the campaign's opt-out list, its file or its
 * table. An opt-out list file (the tool's own header) is imported entry for entry, opt-ins and
 * times kept: that is how a file list moves into the table. A number that does not normalize is
 * refused (exit 2) naming it; nothing is added then. Returns what was added and where.
 */
export async function addOptOuts(
  campaign: Campaign,
  options: { numbers?: readonly string[] | undefined; importFile?: string | undefined; now: number },
): Promise<{ added: number; label: string }> {
  const at = new Date(options.now).toISOString();
  const added: OptOutEntry[] = [];
  const entry = (number: string, reason: string): OptOutEntry => ({
    number: optOutNumber(number),
    at,
    campaign: campaign.name,
    event: "opt_out",
    reason,
  });
  for (const raw of options.numbers ?? []) {
    const normalized = normalizeAddress(raw, campaign.defaultRegion);
    if (!normalized.ok) throw new CampaignInputError(`--add ${JSON.stringify(raw)}: ${normalized.reason}`);
    added.push(entry(normalized.address, "added"));
  }
  if (options.importFile !== undefined) added.push(...(await importedEntries(options.importFile, campaign, entry)));
  const store = await campaignOptOutStore(campaign);
  try {
    if (added.length > 0) await store.append(added);
  } finally {
    await store.close();
  }
  return { added: added.length, label: store.label };
}

/** An opt-out list's entries as they are; any other file's numbers (every field that normalizes, as a suppression list) as opt-outs. */
async function importedEntries(
  file: string,
  campaign: Campaign,
  entry: (number: string, reason: string) => OptOutEntry,
): Promise<OptOutEntry[]> {
  let firstLine: string;
  try {
    firstLine = (await readFile(file, "utf8")).split(/\r?\n/, 1)[0]!.replace(/^\uFEFF/, "");
  } catch (err) {
    throw new CampaignInputError(`--import ${file}: cannot read it (${errnoCode(err) ?? String(err)})`, { cause: err });
  }
  if (firstLine === OPT_OUT_COLUMNS.join(",")) return (await new FileOptOutStore(file, campaign.defaultRegion).readSince(0)).entries;
  return [...(await loadSuppression(file, campaign.defaultRegion))].map((number) => entry(number, "imported"));
}

/** The list: every entry (`all`), or each number whose latest entry is an opt-out, in the order they opted out. */
export async function optOutListing(
  campaign: Campaign,
  options: { all: boolean },
): Promise<{ shown: OptOutEntry[]; optedOut: number; label: string }> {
  const store = await campaignOptOutStore(campaign);
  try {
    const { entries } = await store.readSince(0);
    const current = currentOptOuts(entries);
    return { shown: options.all ? entries : current, optedOut: current.length, label: store.label };
  } finally {
    await store.close();
  }
}

/** Each number whose latest entry is an opt-out, with that entry, in the order they opted out. */
export function currentOptOuts(entries: readonly OptOutEntry[]): OptOutEntry[] {
  const latest = new Map<string, OptOutEntry>();
  for (const entry of entries) {
    latest.delete(entry.number); // re-inserted last: the order of the latest entries
    latest.set(entry.number, entry);
  }
  return [...latest.values()].filter((e) => e.event === "opt_out");
}
