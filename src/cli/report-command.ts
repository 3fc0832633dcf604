import { once } from "node:events";
import type { Argv } from "yargs";
import { loadCampaign } from "../campaign/load-campaign.js";
import { campaignReport, writeCsvReport, writeHtmlReport } from "../commands/campaign-report.js";
import { reportCsvChunks } from "../report/build-report.js";
import { withCampaignArgument } from "./shared-options.js";

interface ReportArgs {
  campaign: string;
  ledger?: string[] | undefined;
  out?: string | undefined;
  "follow-up"?: string[] | undefined;
  html?: string | undefined;
}

export const reportCommand = {
  command: "report <campaign>",
  describe: "Write the CSV report from the ledger (several --ledger files are merged)",
  builder: (y: Argv) =>
    withCampaignArgument(y)
      .option("ledger", {
        type: "string",
        array: true,
        describe: "ledger file(s) or a postgres:// URL; several shard files are merged (default: the campaign's)",
      })
      .option("out", { type: "string", describe: "write to FILE (mode 0600) instead of stdout" })
      .option("html", {
        type: "string",
        describe: "also (or only) write the HTML report to FILE: one offline page with charts (mode 0600)",
      })
      .option("follow-up", {
        type: "string",
        array: true,
        describe: "follow-up campaign file(s): their status, outcome and results columns beside the source's rows (<name>.…)",
      }),
  handler: async (argv: ReportArgs) => {
    const campaign = await loadCampaign(argv.campaign, {});
    const options = { ledgers: argv.ledger, followUps: argv["follow-up"] };
    if (argv.html !== undefined) {
      const size = await writeHtmlReport(campaign, await campaignReport(campaign, options), argv.html);
      process.stderr.write(`HTML report: ${argv.html} (${Math.round(size / 1024)} KiB)\n`);
      if (argv.out === undefined) return;
    }
    const report = await campaignReport(campaign, options);
    if (argv.out !== undefined) {
      const rows = await writeCsvReport(report, argv.out);
      return void process.stderr.write(`Report: ${rows} rows written to ${argv.out}\n`);
    }
    for await (const chunk of reportCsvChunks(report)) if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
  },
};
