import { open } from "node:fs/promises";
import { loadCampaign } from "../campaign/load-campaign.js";
import type { Argv } from "yargs";
import { buildReport, reportCsvLines } from "../report/build-report.js";
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
      for (const chunk of inChunks(reportCsvLines(report))) process.stdout.write(chunk);
      return;
    }
    // The report holds personal data: readable by its owner only.
    const file = await open(argv.out, "w", 0o600);
    try {
      await file.chmod(0o600);
      for (const chunk of inChunks(reportCsvLines(report))) await file.write(chunk);
    } finally {
      await file.close();
    }
    process.stderr.write(`Report: ${report.rows.length} rows written to ${argv.out}\n`);
  },
};

function* inChunks(lines: Iterable<string>, size = 1 << 16): Generator<string> {
  let chunk = "";
  for (const line of lines) {
    chunk += line;
    if (chunk.length >= size) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}
