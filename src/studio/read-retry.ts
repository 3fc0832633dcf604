import pRetry from "p-retry";
import { StudioApiError, StudioTransportError } from "./errors.js";
import { backoff, retryAfterDelay, type RetryPolicy } from "./retry-policy.js";

/** A 429 does not use up `maxAttempts`, but a read answered 429 this many times is given up. */
const MAX_RATE_LIMITED_TRIES = 20;

/** What to do after a read (GET) failed. */
export type ReadFailureDecision = { action: "retry"; delayMs: number } | { action: "give-up" };

/**
 * The retry decision for a read, pure. Unlike a create, a GET is idempotent: every transport
 * failure and every 5xx may be retried. A 429 (Studio's rate or concurrent-request limit, code
 * 20429, never processed) waits its Retry-After, capped, and does not use up `maxAttempts`; other
 * 4xx (404 included) and rejected credentials are final.
 */
export function decideAfterReadFailure(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): ReadFailureDecision {
  if (error instanceof StudioApiError) {
    if (error.status === 429) {
      if (attempt >= MAX_RATE_LIMITED_TRIES) return { action: "give-up" };
      // Without Retry-After (the concurrent-request limit names none), a short jittered backoff:
      // many readers waiting one flat second would all come back at once.
      const delayMs = error.retryAfterMs === undefined ? backoff(attempt, policy, random) : retryAfterDelay(error.retryAfterMs, policy);
      return { action: "retry", delayMs };
    }
    if (error.status < 500) return { action: "give-up" };
  } else if (!(error instanceof StudioTransportError)) {
    return { action: "give-up" };
  }
  return attempt < policy.maxAttempts ? { action: "retry", delayMs: backoff(attempt, policy, random) } : { action: "give-up" };
}

export interface ReadRetryOptions {
  policy: RetryPolicy;
  /** Waits between tries: the run's clock (injected in tests). */
  sleep: (ms: number) => Promise<void>;
  onRetry?: (error: unknown, delayMs: number) => void;
  /** Once aborted, no further try: the last error is thrown. */
  signal?: AbortSignal | undefined;
}

/**
 * Run a read — or another request that may be repeated safely, like ending an Execution — until
 * it succeeds or `decideAfterReadFailure` gives up; then its last error is thrown. p-retry runs
 * the loop (https://github.com/sindresorhus/p-retry: `shouldRetry` is awaited before each retry);
 * its own delay is zero because the delay is the decision's, slept on the run's clock.
 */
export function withReadRetries<T>(read: () => Promise<T>, options: ReadRetryOptions): Promise<T> {
  return pRetry(read, {
    retries: Number.POSITIVE_INFINITY, // bounded by the decision
    minTimeout: 0,
    maxTimeout: 0,
    shouldRetry: async ({ error, attemptNumber }) => {
      const decision = decideAfterReadFailure(error, attemptNumber, options.policy);
      if (decision.action === "give-up" || options.signal?.aborted) return false;
      options.onRetry?.(error, decision.delayMs);
      await options.sleep(decision.delayMs);
      return !options.signal?.aborted;
    },
  });
}
