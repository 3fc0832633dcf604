import type { Argv } from "yargs";
import { loadCampaign } from "../campaign/load-campaign.js";
import { addOptOuts, optOutListing } from "../commands/opt-out-commands.js";
import { csvRecord, FOR_PEOPLE } from "../contacts/csv-writer.js";
import { entryLine, OPT_OUT_COLUMNS } from "../opt-outs/opt-out-store.js";
import { withCampaignArgument } from "./shared-options.js";

interface OptOutsArgs {
  campaign: string;
  add?: string[] | undefined;
  import?: string | undefined;
  all: boolean;
  json: boolean;
  ledger?: string | undefined;
}

export const optOutsCommand = {
  command: "opt-outs <campaign>",
  describe: "Print the campaign's opt-out list (numbers opted out now); --add/--import opt-outs received elsewhere",
  builder: (y: Argv) =>
    withCampaignArgument(y)
      .option("add", { type: "string", array: true, describe: "numbers to add as opted out (E.164, or national with defaultRegion)" })
      .option("import", {
        type: "string",
        describe:
          "add every number of this file (a CSV, or one number a line) as opted out; an opt-out list file (its header " +
          "number,at,campaign,event,reason) entry for entry — how a file list moves into a PostgreSQL table",
      })
      .option("all", { type: "boolean", default: false, describe: "print every entry (opt-ins too), not only who is opted out now" })
      .option("json", { type: "boolean", default: false, describe: "print the entries as JSON" })
      .option("ledger", {
        type: "string",
        describe: "the ledger (a file or a postgres:// URL): without optOuts in the campaign, a PostgreSQL ledger's list is its table",
      }),
  handler: async (argv: OptOutsArgs) => {
    const campaign = await loadCampaign(argv.campaign, { ledger: argv.ledger });
    const { added, label } = await addOptOuts(campaign, { numbers: argv.add, importFile: argv.import, now: Date.now() });
    if (added > 0) process.stderr.write(`${label}: ${added} entr${added === 1 ? "y" : "ies"} added\n`);
    const { shown, optedOut } = await optOutListing(campaign, { all: argv.all });
    if (argv.json) return void process.stdout.write(`${JSON.stringify(shown)}\n`);
    // For people (a terminal, a pipe, a spreadsheet): the one CSV writer, quoting and formula escaping included.
    const style = { ...FOR_PEOPLE, eol: "\n" } as const;
    process.stdout.write(csvRecord(OPT_OUT_COLUMNS, style) + shown.map((e) => entryLine(e, style)).join(""));
    process.stderr.write(`${label}: ${optedOut} number(s) opted out now\n`);
  },
};
