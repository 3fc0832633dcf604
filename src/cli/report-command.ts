import { once } from "node:events";
import { open } from "node:fs/promises";
import { loadCampaign } from "../campaign/load-campaign.js";
import type { Argv } from "yargs";
import type { Campaign } from "../campaign/campaign.js";
import { buildReport, reportCsvChunks, type Report } from "../report/build-report.js";
import { withFollowUps } from "../report/merge-follow-ups.js";
import { describeWindow } from "../campaign/plan/send-window.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import { assertLedgerExists } from "../campaign/results/executions-session.js";
import { campaignLedger } from "../campaign/campaign-ledger.js";
import { openLedgerStore } from "../ledger/open-store.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
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
    const locations = argv.ledger && argv.ledger.length > 0 ? argv.ledger : [campaign.ledgerPath];
    const ledgers = locations.map((location) => openLedgerStore(location, campaign.name));
    for (const ledger of ledgers) await assertLedgerExists(ledger);
    const followUps = argv["follow-up"] ?? [];
    if (argv.html !== undefined) {
      await writeHtmlReport(argv.html, campaign, await buildMergedReport(ledgers, campaign, followUps, HTML_ROWS_PER_PASS));
      if (argv.out === undefined) return;
    }
    const report = await buildMergedReport(ledgers, campaign, followUps);
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

/** The campaign's report, with each `--follow-up`'s columns beside its rows (SPEC §13). */
async function buildMergedReport(
  ledgers: LedgerStore[],
  campaign: Campaign,
  followUpFiles: readonly string[],
  rowsPerPass?: number,
): Promise<Report> {
  const report = await buildReport(ledgers, { results: campaign.results, ...(rowsPerPass ? { rowsPerPass } : {}) });
  if (followUpFiles.length === 0) return report;
  const followUps = [];
  for (const file of followUpFiles) {
    const followUp = await loadCampaign(file);
    if (!followUp.followUpOf) throw new ExitError(ExitCode.usage, `--follow-up ${file}: not a follow-up campaign (it has no "followUpOf")`);
    const ledger = campaignLedger(followUp);
    await assertLedgerExists(ledger);
    const options = { results: followUp.results, ...(rowsPerPass ? { rowsPerPass } : {}) };
    followUps.push({ name: followUp.name, report: await buildReport([ledger], options) });
  }
  return withFollowUps(report, followUps);
}

/**
 * The HTML report keeps counts, not rows, so it reads the ledger in larger ranges than the CSV:
 * each range is one more pass over the whole ledger (1 000 000 surveyed contacts: 10 000 rows a
 * pass took 294 s and 203 MiB, BENCHMARKS.md).
 */
const HTML_ROWS_PER_PASS = 100_000;

/** The HTML report (SPEC §14), written with mode 0600 (it names contacts' answers). */
async function writeHtmlReport(file: string, campaign: Campaign, report: Report): Promise<void> {
  const { summarizeReport } = await import("../report/campaign-summary.js");
  const { renderHtml } = await import("../report/html/render-html.js");
  const summary = await summarizeReport(report, campaign.name);
  const html = renderHtml(
    {
      name: campaign.name,
      flowSid: campaign.flowSid,
      revision: report.flow?.sid === campaign.flowSid ? report.flow.revision : undefined,
      from: campaign.from,
      window: campaign.window ? describeWindow(campaign.window) : undefined,
      perSecond: campaign.rate.perSecond,
      generatedAt: Date.now(),
    },
    summary,
  );
  const handle = await open(file, "w", 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(html);
  } finally {
    await handle.close();
  }
  process.stderr.write(`HTML report: ${file} (${Math.round(Buffer.byteLength(html) / 1024)} KiB)\n`);
}
