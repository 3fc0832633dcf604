import { CampaignInputError } from "../../errors.js";
import { OptOutWriter, optOutNumber, readOptOutEntries, type OptOutEntry } from "../../contacts/opt-out-list.js";
import { normalizeAddress } from "../../contacts/phone.js";
import { loadSuppression } from "../../contacts/suppression.js";
import type { Campaign } from "../campaign.js";

/**
 * `opt-outs --add` and `--import` (SPEC §12): opt-outs received elsewhere — a call to the front
 * desk, an email, another system's list — into the campaign's opt-out list. A number that does
 * not normalize is refused (exit 2) naming it; nothing is added then.
 */
export async function addOptOuts(
  campaign: Campaign,
  options: { numbers?: readonly string[] | undefined; importFile?: string | undefined; now: number },
): Promise<number> {
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
  // Every field of a CSV (or a line) that normalizes to a number, as the suppression list is read.
  if (options.importFile !== undefined)
    for (const number of await loadSuppression(options.importFile, campaign.defaultRegion)) added.push(entry(number, "imported"));
  if (added.length === 0) return 0;
  const writer = await OptOutWriter.open(campaign.optOutsPath);
  try {
    await Promise.all(added.map((e) => writer.append(e)));
  } finally {
    await writer.close();
  }
  return added.length;
}

/** The list: every entry (`all`), or each number whose latest entry is an opt-out, in the order they opted out. */
export async function optOutListing(campaign: Campaign, options: { all: boolean }): Promise<{ shown: OptOutEntry[]; optedOut: number }> {
  const entries = await readOptOutEntries(campaign.optOutsPath, campaign.defaultRegion);
  const current = currentOptOuts(entries);
  return { shown: options.all ? entries : current, optedOut: current.length };
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
