import type { Campaign } from "../campaign.js";
import { campaignLedger } from "../campaign-ledger.js";
import { loadCampaignState, type CampaignState } from "../plan/campaign-state.js";
import type { ShardSpec } from "../../contacts/shard.js";
import { emptyThisRun } from "./run-tally.js";
import { emptyCounts, type RowStatus, type RunSummary } from "./run-events.js";

/** A campaign's ledger, locked for one run, and its state read under the lock. */
export interface CampaignRunSession {
  loaded: CampaignState;
  release(): Promise<void>;
}

/**
 * Take the ledger's lock — one run per ledger: a second one exits at once naming the holder
 * (SPEC §5) — and read the campaign's state under it (from the checkpoint plus the ledger's
 * newer events when it holds, else the whole ledger). The state is read only under the lock:
 * read before it, another run finishing in between could leave it stale.
 */
export async function openCampaignRun(
  campaign: Campaign,
  options: {
    retryFailed: boolean;
    shard: ShardSpec | undefined;
    /** Under the lock, before the state is read: a follow-up lists its newly qualifying contacts here. */
    prepare?: (() => Promise<void>) | undefined;
  },
): Promise<CampaignRunSession> {
  const lock = await campaignLedger(campaign, options.shard).lock();
  try {
    await options.prepare?.();
    return { loaded: await loadCampaignState(campaign, options), release: () => lock.release() };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/**
 * The summary of a run that finds nothing to send or settle (every row final before the
 * checkpoint's end, no contact open): what the run loop would count, without loading the sending
 * stack — a cron rerun with nothing to do pays for reading its state and nothing else.
 */
export function idleRunSummary(loaded: CampaignState, durationMs: number): RunSummary {
  const counts = emptyCounts();
  for (const [status, n] of Object.entries(loaded.resume?.prefixCounts ?? {})) counts[status as RowStatus] += n;
  return {
    counts,
    thisRun: emptyThisRun(),
    stopped: undefined,
    stopMessage: undefined,
    durationMs,
    achievedRate: 0,
    dryRun: false,
    skippedFinalRows: loaded.resume?.csv.rows ?? 0,
  };
}
