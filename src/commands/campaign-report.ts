import { open } from "node:fs/promises";
import { CampaignInputError } from "../errors.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import { openLedgerStore } from "../ledger/open-store.js";
import { buildReport, reportCsvChunks, type Report } from "../report/build-report.js";
import { withFollowUps } from "../report/merge-follow-ups.js";
import { campaignLedger } from "../campaign/campaign-ledger.js";
import type { Campaign } from "../campaign/campaign.js";
import { kindOf } from "../engine/kinds/kind-of.js";
import { loadCampaign } from "../campaign/load-campaign.js";
import { describeWindow, displayZone } from "../engine/plan/send-window.js";
import { assertLedgerExists } from "../engine/results/executions-session.js";

export interface ReportOptions {
  /** Ledger locations (shard files merged, or one postgres:// URL); default: the campaign's. */
  ledgers?: readonly string[] | undefined;
  /** Follow-up campaign files: their columns beside the source's rows (docs/reference.md §13). */
  followUps?: readonly string[] | undefined;
}

/**
 * The campaign's report (docs/reference.md §6): its ledgers folded a range of rows at a time, with each
 * follow-up's status, outcome and results columns beside its rows. Ledgers that do not exist are
 * refused (exit 2) naming them: never an empty report.
 */
export async function campaignReport(campaign: Campaign, options: ReportOptions = {}): Promise<Report> {
  const locations = options.ledgers && options.ledgers.length > 0 ? options.ledgers : [campaign.ledgerPath];
  const ledgers: LedgerStore[] = locations.map((location) => openLedgerStore(location, campaign.name));
  for (const ledger of ledgers) await assertLedgerExists(ledger);
  const report = await (await kindOf(campaign)).report(ledgers, { results: campaign.results });
  report.intents = campaign.replies?.intents;
  // A follow-up of a standing campaign: each row names the reminder it follows up (docs/reference.md §16).
  if (campaign.followUpOf && (await kindOf(await loadCampaign(campaign.followUpOf.campaignPath))).reminderColumns)
    report.reminderColumns = true;
  const followUps = [];
  for (const file of options.followUps ?? []) {
    const followUp = await loadCampaign(file);
    if (!followUp.followUpOf) throw new CampaignInputError(`--follow-up ${file}: not a follow-up campaign (it has no "followUpOf")`);
    const ledger = campaignLedger(followUp);
    await assertLedgerExists(ledger);
    followUps.push({ name: followUp.name, report: await buildReport([ledger], { results: followUp.results }) });
  }
  return followUps.length === 0 ? report : withFollowUps(report, followUps);
}

/** The CSV report into `file`, created readable by its owner only (it holds personal data). Returns the rows written. */
export async function writeCsvReport(report: Report, file: string): Promise<number> {
  let rows = 0;
  const handle = await open(file, "w", 0o600);
  try {
    await handle.chmod(0o600);
    for await (const chunk of reportCsvChunks(report, (n) => (rows += n))) await handle.write(chunk);
  } finally {
    await handle.close();
  }
  return rows;
}

/** The HTML report (docs/reference.md §14) into `file`, mode 0600 (it names contacts' answers). Returns its size in bytes. */
export async function writeHtmlReport(campaign: Campaign, report: Report, file: string): Promise<number> {
  const { summarizeReport } = await import("../report/campaign-summary.js");
  const { renderHtml } = await import("../report/html/render-html.js");
  const summary = await summarizeReport(report, { name: campaign.name, zone: campaign.window?.timezone });
  const html = renderHtml(
    {
      name: campaign.name,
      flowSid: campaign.flowSid,
      revision: report.flow?.sid === campaign.flowSid ? report.flow.revision : undefined,
      from: campaign.from,
      window: campaign.window ? describeWindow(campaign.window) : undefined,
      perSecond: campaign.rate.perSecond,
      generatedAt: Date.now(),
      zone: displayZone(campaign.window),
      unit: (await kindOf(campaign)).unit,
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
  return Buffer.byteLength(html);
}
