import type { LedgerLockHandle } from "../../ledger/ledger-store.js";
import type { Campaign } from "../../campaign/campaign.js";
import { campaignLedger } from "../../campaign/campaign-ledger.js";
import { loadCampaignState, type CampaignState } from "../plan/campaign-state.js";
import type { ShardSpec } from "../../contacts/shard.js";
import { emptyThisRun } from "./run-tally.js";
import { emptyLedgerState } from "../../ledger/fold.js";
import type { CampaignKind } from "../kinds/campaign-kind.js";
import { kindOf } from "../kinds/kind-of.js";
import { emptyCounts, type RowStatus } from "../../ledger/row-status.js";
import { type RunSummary } from "./run-events.js";

/** A campaign's ledger, locked for one run, and its state read under the lock. */
export interface CampaignRunSession {
  /** The campaign's kind, chosen once for the run. */
  kind: CampaignKind;
  loaded: CampaignState;
  /** A standing campaign's tick with nothing to do (its mark holds): its summary; the state was not read. */
  idle?: Pick<RunSummary, "counts" | "schedule"> | undefined;
  /** The ledger's lock: the run's writer is opened on it. */
  lock: LedgerLockHandle;
  release(): Promise<void>;
}

/**
 * Take the ledger's lock — one run per ledger: a second one exits at once naming the holder
 * (docs/reference.md §5) — and read the campaign's state under it (from the checkpoint plus the ledger's
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
    /** The run's now: a standing campaign's tick may find nothing due before its mark's time. */
    now: number;
  },
): Promise<CampaignRunSession> {
  const kind = await kindOf(campaign);
  const ledger = campaignLedger(campaign, options.shard);
  const lock = await ledger.lock();
  try {
    await options.prepare?.();
    // A standing campaign's tick before anything can be due, on the same file and ledger: nothing to read.
    const idle = options.retryFailed ? undefined : await kind.idleTick(ledger, { shard: options.shard, now: options.now });
    const release = () => lock.release();
    if (idle) return { kind, loaded: idleState(), idle, lock, release };
    return { kind, loaded: await loadCampaignState(campaign, { ...options, policy: kind.checkpoint }), lock, release };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

function idleState(): CampaignState {
  return { state: emptyLedgerState(), scan: { validBytes: 0, tornTail: false }, resume: undefined };
}

/**
 * The summary of a run that finds nothing to send or settle (every row final before the
 * checkpoint's end, no contact open): what the run loop would count, without loading the sending
 * stack — a cron rerun with nothing to do pays for reading its state and nothing else.
 */
export function idleRunSummary(session: Pick<CampaignRunSession, "loaded" | "idle">, durationMs: number): RunSummary {
  const { loaded, idle } = session;
  const counts = emptyCounts();
  for (const [status, n] of Object.entries(idle?.counts ?? loaded.resume?.prefixCounts ?? {})) counts[status as RowStatus] += n;
  return {
    counts,
    thisRun: emptyThisRun(),
    stopped: undefined,
    stopMessage: undefined,
    durationMs,
    achievedRate: 0,
    dryRun: false,
    skippedFinalRows: loaded.resume?.csv.rows ?? 0,
    ...(idle?.schedule ? { schedule: idle.schedule } : {}),
  };
}
