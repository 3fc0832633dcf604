import { RETRY_DEFAULTS } from "../studio/retry-policy.js";
import type { ReadPolicy } from "../studio/read-retry.js";
import type { Campaign } from "./campaign.js";

/**
 * The runtime's defaults, in one place: what a command does when neither the campaign
 * file nor a flag says otherwise. The campaign file's own defaults are `CAMPAIGN_DEFAULTS`.
 */
export const RUNTIME_DEFAULTS = {
  /** Per-request budget of the client; also how long an unanswered create may still be in Studio's hands. */
  requestTimeoutMs: 15_000,
  /** Opening a connection (TCP + TLS). */
  connectTimeoutMs: 10_000,
  /** Studio failing every request for this long stops a command (exit 75); the next one continues. */
  outageAfterMs: 120_000,
  /** How long a run waits for Redis (the shared limiter, the shared daily count) before it starts. */
  redisReadyTimeoutMs: 5_000,
  /** Tries of one read (GET, or an end) while Studio answers other requests. */
  maxReadAttempts: 10,
  /** Backoff steps (500 ms doubling to 30 s, jittered) and the wait after a 429 that names no Retry-After. */
  retry: RETRY_DEFAULTS,
  /** A run's progress line without a TTY (cron logs), and the live bar's redraw on one. */
  progressEveryMs: 5_000,
  progressEveryMsOnTty: 250,
} as const;

/** The read policy of a campaign's commands: its `retry` settings, the runtime's bounds. */
export function readPolicy(campaign: Pick<Campaign, "retry">, outageAfterMs: number = RUNTIME_DEFAULTS.outageAfterMs): ReadPolicy {
  return {
    ...RUNTIME_DEFAULTS.retry,
    maxRetryAfterMs: campaign.retry.maxRetryAfterMs,
    maxReadAttempts: RUNTIME_DEFAULTS.maxReadAttempts,
    outageAfterMs,
  };
}
