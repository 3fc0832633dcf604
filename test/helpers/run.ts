import type { Campaign } from "../../src/campaign/campaign.js";
import { StopControl, type Clock } from "../../src/clock.js";
import type { ShardSpec } from "../../src/contacts/shard.js";
import type { RunEvent, RunSummary } from "../../src/engine/run/run-events.js";
import { sendCampaign } from "../../src/engine/run/send-campaign.js";
import { createLimiter } from "../../src/throttle/create-limiter.js";
import { accountCredentials } from "./env.js";

export interface InProcessRun {
  clock?: Clock;
  stop?: StopControl;
  onEvent?: (event: RunEvent) => void;
  limit?: number;
  maxRuntimeMs?: number;
  retryFailed?: boolean;
  acceptCancel?: boolean;
  shard?: ShardSpec | undefined;
  redisUrl?: string | undefined;
  requestTimeoutMs?: number;
  outageAfterMs?: number;
  /** The limiter's pace in the test (always local: a test of Redis says so with the CLI). Default 500/s, 4 at once. */
  pace?: { perSecond: number; concurrency: number };
}

/**
 * A run in-process, opened exactly as `run` opens it (`sendCampaign`: the lock, the state, the
 * survey of the contacts, the client, the reads, the daily cap) against the simulator at `url`,
 * on the test's clock, with a limiter fast enough for a test and no preflight.
 */
export async function runInProcess(campaign: Campaign, url: string, options: InProcessRun = {}): Promise<RunSummary> {
  const pace = options.pace ?? { perSecond: 500, concurrency: 4 };
  return sendCampaign({
    campaign,
    shard: options.shard,
    credentials: accountCredentials(),
    urls: { studio: url, api: url },
    redisUrl: options.redisUrl,
    limit: options.limit,
    maxRuntimeMs: options.maxRuntimeMs,
    retryFailed: options.retryFailed ?? false,
    acceptCancel: options.acceptCancel,
    preflight: false,
    requestTimeoutMs: options.requestTimeoutMs ?? 1_000,
    outageAfterMs: options.outageAfterMs,
    clock: options.clock,
    stop: options.stop ?? new StopControl(),
    onEvent: options.onEvent ?? (() => undefined),
    factories: { limiter: (limiter) => createLimiter({ ...limiter, ...pace, redis: undefined }) },
  });
}
