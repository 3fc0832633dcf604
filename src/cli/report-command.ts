import { once } from "node:events";
import { open } from "node:fs/promises";
import { loadCampaign } from "../campaign/load-campaign.js";
import type { Argv } from "yargs";
import { buildReport, reportCsvChunks } from "../report/build-report.js";
import { withCampaignArgument } from "./shared-options.js";

interface ReportArgs {
  campaign: string;
  ledger?: string[] | undefined;
  out?: string | undefined;
}

export const reportCommand = {
  command: "report <campaign>",
  describe: "Write the CSV report from the ledger (several --ledger files are merged)",
  builder: (y: Argv) =>
    withCampaignArgument(y)
      .option("ledger", { type: "string", array: true, describe: "ledger file(s); several shards are merged (default: the campaign's)" })
      .option("out", { type: "string", describe: "write to FILE (mode 0600) instead of stdout" }),
  handler: async (argv: ReportArgs) => {
    const campaign = await loadCampaign(argv.campaign, {});
    const ledgers = argv.ledger && argv.ledger.length > 0 ? argv.ledger : [campaign.ledgerPath];
    const report = await buildReport(ledgers, { results: campaign.results });
    if (argv.out === undefined) {
      for await (const chunk of reportCsvChunks(report)) if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
      return;
    }
    // The report holds personal data: readable by its owner only.
    let rows = 0;
    const file = await open(argv.out, "w", 0o600);
    try {
      await file.chmod(0o600);
      for await (const chunk of reportCsvChunks(report, (n) => (rows += n))) await file.write(chunk);
    } finally {
      await file.close();
    }
    process.stderr.write(`Report: ${rows} rows written to ${argv.out}\n`);
  },
};
