import type { Argv } from "yargs";
import { loadCampaign } from "../campaign/load-campaign.js";
import { OptOutWriter, OPT_OUT_HEADER, optOutNumber, readOptOutEntries, type OptOutEntry } from "../contacts/opt-out-list.js";
import { normalizeAddress } from "../contacts/phone.js";
import { loadSuppression } from "../contacts/suppression.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import { withCampaignArgument } from "./shared-options.js";

interface OptOutsArgs {
  campaign: string;
  add?: string[] | undefined;
  import?: string | undefined;
  all: boolean;
  json: boolean;
}

export const optOutsCommand = {
  command: "opt-outs <campaign>",
  describe: "Print the campaign's opt-out list (numbers opted out now); --add/--import opt-outs received elsewhere",
  builder: (y: Argv) =>
    withCampaignArgument(y)
      .option("add", { type: "string", array: true, describe: "numbers to add as opted out (E.164, or national with defaultRegion)" })
      .option("import", { type: "string", describe: "add every number of this file (a CSV, or one number a line) as opted out" })
      .option("all", { type: "boolean", default: false, describe: "print every entry (opt-ins too), not only who is opted out now" })
      .option("json", { type: "boolean", default: false, describe: "print the entries as JSON" }),
  handler: async (argv: OptOutsArgs) => {
    const campaign = await loadCampaign(argv.campaign);
    const at = new Date().toISOString();
    const added: OptOutEntry[] = [];
    for (const raw of argv.add ?? []) {
      const normalized = normalizeAddress(raw, campaign.defaultRegion);
      if (!normalized.ok) throw new ExitError(ExitCode.usage, `--add ${JSON.stringify(raw)}: ${normalized.reason}`);
      added.push({ number: optOutNumber(normalized.address), at, campaign: campaign.name, event: "opt_out", reason: "added" });
    }
    if (argv.import !== undefined) {
      // The suppression reader: every field of a CSV (or a line) that normalizes to a number.
      for (const number of await loadSuppression(argv.import, campaign.defaultRegion))
        added.push({ number: optOutNumber(number), at, campaign: campaign.name, event: "opt_out", reason: "imported" });
    }
    if (added.length > 0) {
      const writer = await OptOutWriter.open(campaign.optOutsPath);
      try {
        await Promise.all(added.map((entry) => writer.append(entry)));
      } finally {
        await writer.close();
      }
      process.stderr.write(`${campaign.optOutsPath}: ${added.length} opt-out(s) added\n`);
    }
    const entries = await readOptOutEntries(campaign.optOutsPath, campaign.defaultRegion);
    const shown = argv.all ? entries : currentOptOuts(entries);
    if (argv.json) process.stdout.write(`${JSON.stringify(shown)}\n`);
    else {
      process.stdout.write(OPT_OUT_HEADER + shown.map((e) => `${e.number},${e.at},${e.campaign},${e.event},${e.reason}\n`).join(""));
      process.stderr.write(`${campaign.optOutsPath}: ${currentOptOuts(entries).length} number(s) opted out now\n`);
    }
  },
};

/** Each number whose latest entry is an opt-out, with that entry, in the order they opted out. */
export function currentOptOuts(entries: readonly OptOutEntry[]): OptOutEntry[] {
  const latest = new Map<string, OptOutEntry>();
  for (const entry of entries) {
    latest.delete(entry.number); // re-inserted last: the order of the latest entries
    latest.set(entry.number, entry);
  }
  return [...latest.values()].filter((e) => e.event === "opt_out");
}
