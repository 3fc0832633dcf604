import type { Argv } from "yargs";
import { loadCampaign } from "../campaign/load-campaign.js";
import { previewCampaign } from "../campaign/preview-campaign.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import { formatCounts } from "./render-summary.js";
import { shardFromArgs, withCampaignArgument, withCampaignFileOptions } from "./shared-options.js";

interface ValidateArgs {
  campaign: string;
  contacts?: string | undefined;
  ledger?: string | undefined;
  shard?: string | undefined;
  json: boolean;
}

export const validateCommand = {
  command: "validate <campaign>",
  describe: "Check the campaign and its contacts; send nothing",
  builder: (y: Argv) =>
    withCampaignFileOptions(withCampaignArgument(y)).option("json", { type: "boolean", default: false, describe: "print the result as JSON" }),
  handler: async (argv: ValidateArgs) => {
    const campaign = await loadCampaign(argv.campaign, { contacts: argv.contacts, ledger: argv.ledger });
    const result = await previewCampaign(campaign, { shard: shardFromArgs(argv.shard) });
    if (argv.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const lines = [
        `Campaign ${campaign.name}: flow ${campaign.flowSid}, from ${campaign.from}, ${campaign.rate.perSecond}/s, on conflict ${campaign.onConflict}`,
        `Rows: ${formatCounts(result.counts)}`,
        `A run would send ${result.toSend} contact(s)${result.inDoubt ? ` and first settle ${result.inDoubt} in doubt` : ""}.`,
        ...result.problems.map((p) => `  row ${p.row}: ${p.status}: ${p.reason}`),
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    if (result.counts.invalid > 0) throw new ExitError(ExitCode.rowErrors, "");
  },
};
