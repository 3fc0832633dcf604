import type { Campaign } from "../campaign/campaign.js";
import { campaignLedger } from "../campaign/campaign-ledger.js";
import { collectResults } from "../campaign/results/collect-results.js";
import { refreshFollowUpList, type FollowUpTally } from "../campaign/follow-up/follow-up-list.js";
import { followUpLine } from "./follow-up-line.js";
import { loadCampaign } from "../campaign/load-campaign.js";
import { StudioCampaignError } from "../errors.js";
import { resultsColumns } from "../flow/results-columns.js";
import type { Credentials } from "../studio/credentials.js";
import { RETRY_DEFAULTS } from "../studio/retry-policy.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import { withLedgerSession } from "./ledger-session.js";

/**
 * Before a follow-up's run (SPEC §13), under its lock: collect the outcomes its source lacks —
 * as `results` does for it, so that cron can run the follow-up alone — then list the contacts
 * that qualify now. A source whose own run holds its ledger right now is read as recorded: its
 * new outcomes wait for the next run.
 */
export async function prepareFollowUp(
  campaign: Campaign,
  options: { credentials: Credentials; urls: { studio: string; api: string }; note: (line: string) => void },
): Promise<FollowUpTally> {
  const source = await loadCampaign(campaign.followUpOf!.campaignPath);
  try {
    const summary = await withLedgerSession(source, options.credentials, options.urls, ({ client, writer, executions, questions }) =>
      collectResults({
        campaign: source,
        client,
        ledger: writer,
        executions,
        columns: resultsColumns(source.results, questions),
        includeActive: false,
        policy: { ...RETRY_DEFAULTS, ...source.retry },
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        accountSid: options.credentials.accountId,
      }),
    );
    if (summary.collected > 0) options.note(`follow-up: ${summary.collected} outcome(s) of ${source.name} collected`);
    if (summary.failed.length > 0) options.note(`follow-up: ${summary.failed.length} Execution(s) of ${source.name} could not be read now`);
  } catch (err) {
    if (err instanceof ExitError && err.exitCode === ExitCode.usage && !(await campaignLedger(source).exists()))
      options.note(`follow-up: ${source.name} has created nothing yet`);
    else if (err instanceof StudioCampaignError && err.code === "LOCK_HELD")
      options.note(`follow-up: ${source.name} is running now; its outcomes as recorded are used (${err.message})`);
    else throw err;
  }
  const tally = await refreshFollowUpList(campaign, { now: Date.now(), write: true });
  options.note(followUpLine(campaign, tally));
  return tally;
}
