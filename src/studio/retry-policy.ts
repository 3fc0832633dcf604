import { StudioApiError, StudioTransportError } from "./errors.js";

export interface RetryPolicy {
  /** Create attempts per contact, the first included. */
  maxAttempts: number;
  /** First backoff step, ms. */
  baseDelayMs: number;
  /** Cap of one backoff step, ms. */
  maxDelayMs: number;
  /** Wait after a 429 that names no Retry-After, ms. */
  defaultRetryAfterMs: number;
  /**
   * The longest wait a `Retry-After` may impose, ms. A 429 holds the whole (possibly
   * account-wide) limiter, so a server asking for a day must not stall every worker for a day.
   */
  maxRetryAfterMs: number;
}

export const RETRY_DEFAULTS: Omit<RetryPolicy, "maxAttempts"> = {
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  defaultRetryAfterMs: 1_000,
  maxRetryAfterMs: 60_000,
};

/** What to do after a create failed. */
export type CreateFailureDecision =
  /** Try again after `delayMs`. `account` true: a 429, which slows the whole limiter. */
  | { action: "retry"; delayMs: number; account: false }
  /** A 429: hold the whole limiter for `delayMs`; `askedMs` is what Retry-After asked for. */
  | { action: "retry"; delayMs: number; account: true; askedMs: number | undefined }
  /** Another Execution is active for this To/From: apply the conflict policy. */
  | { action: "conflict"; conflictingSid: string | undefined }
  /** It may have created an Execution: settle through List before anything is re-sent. */
  | { action: "settle" }
  /** Credentials rejected: stop the run. */
  | { action: "stop-auth" }
  /** Nothing was created and trying again will not help (or attempts are used up). */
  | { action: "fail"; transient: boolean };

/**
 * The whole retry decision for a create, as one pure function (no timers).
 *
 * A create is not idempotent. Nothing that may have reached Studio is re-sent blindly: an
 * in-doubt transport error *and a 5xx* (a server can fail after committing) are settled through
 * List first. Only answers that prove nothing was created (429, 4xx) and failures that provably
 * never left (`not-sent`) are retried or failed directly.
 */
export function decideAfterCreateFailure(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): CreateFailureDecision {
  if (error instanceof StudioTransportError) {
    if (error.delivery === "in-doubt") return { action: "settle" };
    return attempt < policy.maxAttempts
      ? { action: "retry", delayMs: backoff(attempt, policy, random), account: false }
      : { action: "fail", transient: true };
  }
  if (!(error instanceof StudioApiError)) return { action: "settle" };
  if (error.isAuthFailure) return { action: "stop-auth" };
  if (error.status === 409) return { action: "conflict", conflictingSid: error.conflictingExecutionSid };
  if (error.status === 429) {
    // An account signal, not this contact's fault: it does not use up the contact's attempts.
    return { action: "retry", delayMs: retryAfterDelay(error.retryAfterMs, policy), account: true, askedMs: error.retryAfterMs };
  }
  if (error.status >= 500) return { action: "settle" };
  return { action: "fail", transient: false };
}

/**
 * Capped exponential backoff with equal jitter: attempt n waits between half and all of
 * min(cap, base × 2^(n−1)) — never less than half, so retries do not come back at once.
 */
export function backoff(attempt: number, policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Delay sources in order: `Retry-After` (capped), else the named default. */
export function retryAfterDelay(askedMs: number | undefined, policy: Pick<RetryPolicy, "defaultRetryAfterMs" | "maxRetryAfterMs">): number {
  return askedMs === undefined ? policy.defaultRetryAfterMs : Math.min(askedMs, policy.maxRetryAfterMs);
}
