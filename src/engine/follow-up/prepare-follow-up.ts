import { systemClock, type Clock, type StopControl } from "../../clock.js";
import { StudioCampaignError } from "../../errors.js";
import { resultsColumns } from "../../flow/results-columns.js";
import type { Credentials } from "../../studio/credentials.js";
import { campaignLedger } from "../../campaign/campaign-ledger.js";
import type { Campaign } from "../../campaign/campaign.js";
import { loadCampaign } from "../../campaign/load-campaign.js";
import { collectResults } from "../results/collect-results.js";
import { openExecutionsSession } from "../results/executions-session.js";
import { refreshFollowUpList, type FollowUpTally } from "./follow-up-list.js";

export interface FollowUpPreparation {
  credentials: Credentials;
  urls: { studio: string; api: string };
  clock?: Clock | undefined;
  stop?: StopControl | undefined;
  /** A line for the operator (what was collected, who qualifies). */
  note: (line: string) => void;
}

/**
 * Before a follow-up's run (docs/reference.md §13), under its lock: collect the outcomes its source lacks —
 * as `results` does for it, so that cron can run the follow-up alone — then list the contacts
 * that qualify now. A source whose own run holds its ledger right now is read as recorded: its
 * new outcomes wait for the next run.
 */
export async function prepareFollowUp(campaign: Campaign, options: FollowUpPreparation): Promise<FollowUpTally> {
  const source = await loadCampaign(campaign.followUpOf!.campaignPath);
  if (await campaignLedger(source).exists()) await collectSourceOutcomes(source, options);
  else options.note(`follow-up: ${source.name} has created nothing yet`);
  return refreshFollowUpList(campaign, { now: (options.clock ?? systemClock).now(), write: true });
}

async function collectSourceOutcomes(source: Campaign, options: FollowUpPreparation): Promise<void> {
  try {
    await using session = await openExecutionsSession({ campaign: source, ...options });
    const summary = await collectResults(session, {
      columns: resultsColumns(source.results, session.questions),
      includeActive: false,
      accountSid: options.credentials.accountId,
    });
    if (summary.collected > 0) options.note(`follow-up: ${summary.collected} outcome(s) of ${source.name} collected`);
    if (summary.failed.length > 0) options.note(`follow-up: ${summary.failed.length} Execution(s) of ${source.name} could not be read now`);
  } catch (err) {
    if (!(err instanceof StudioCampaignError && err.code === "LOCK_HELD")) throw err;
    options.note(`follow-up: ${source.name} is running now; its outcomes as recorded are used (${err.message})`);
  }
}
