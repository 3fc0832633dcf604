import pRetry from "p-retry";
import type { Clock } from "../clock.js";
import { StudioCampaignError } from "../errors.js";
import { StudioApiError, StudioTransportError } from "./errors.js";
import { backoff, retryAfterDelay, type RetryPolicy } from "./retry-policy.js";
import type { ServiceHealth } from "./service-health.js";

/** A 429 does not use up `maxReadAttempts`, but a read answered 429 this many times is given up. */
const MAX_RATE_LIMITED_TRIES = 20;

/** How reads are retried: the delays of the create policy, and their own bounds. */
export interface ReadPolicy extends Omit<RetryPolicy, "maxAttempts"> {
  /** Tries of one read while Studio answers other requests (a failure of its own, not an outage). */
  maxReadAttempts: number;
  /** Once every request has failed for this long, Studio is down: the command stops (exit 75). */
  outageAfterMs: number;
}

/** What to do after a read (GET, or an end: safe to repeat) failed. */
export type ReadFailureDecision =
  | { action: "retry"; delayMs: number }
  | { action: "give-up" }
  /** Every request has failed for longer than the outage bound: stop, rerun later (exit 75). */
  | { action: "outage" };

/**
 * The retry decision for a read, pure (one for every GET — List, Fetch, Context, Steps,
 * Message, Flow — and for ending an Execution). Unlike a create, a read is idempotent: every
 * transport failure and every 5xx may be retried, with capped backoff, until the read has had
 * `maxReadAttempts` tries or Studio has failed everything for `outageAfterMs`. A 429 (Studio's
 * rate or concurrent-request limit, code 20429, never processed) waits its Retry-After, capped,
 * and does not use up the tries; other 4xx (404 included) and rejected credentials are final.
 */
export function decideAfterReadFailure(
  error: unknown,
  tries: { attempt: number; failingForMs: number },
  policy: ReadPolicy,
  random: () => number = Math.random,
): ReadFailureDecision {
  if (error instanceof StudioApiError) {
    if (error.status === 429) {
      if (tries.attempt >= MAX_RATE_LIMITED_TRIES) return { action: "give-up" };
      // Without Retry-After (the concurrent-request limit names none), a short jittered backoff:
      // many readers waiting one flat second would all come back at once.
      const delayMs =
        error.retryAfterMs === undefined ? backoff(tries.attempt, policy, random) : retryAfterDelay(error.retryAfterMs, policy);
      return { action: "retry", delayMs };
    }
    if (error.status < 500) return { action: "give-up" };
  } else if (!(error instanceof StudioTransportError)) {
    return { action: "give-up" };
  }
  if (tries.failingForMs > policy.outageAfterMs) return { action: "outage" };
  return tries.attempt < policy.maxReadAttempts
    ? { action: "retry", delayMs: backoff(tries.attempt, policy, random) }
    : { action: "give-up" };
}

/** Studio failed every request for longer than the outage bound: nothing more is asked now (exit 75). */
export class StudioOutageError extends StudioCampaignError {
  override readonly name = "StudioOutageError";

  constructor(failingForMs: number, last: unknown) {
    super("STUDIO_OUTAGE", `Studio failed every request for ${Math.round(failingForMs / 1000)} s (last: ${String(last)}): rerun later`, {
      cause: last,
    });
  }
}

export interface ReadsOptions {
  policy: ReadPolicy;
  /** The command's clock: its sleeps end at once when `signal` aborts. */
  clock: Clock;
  /** Shared with every other request of the command: a success anywhere ends a streak of failures. */
  health: ServiceHealth;
  /** Once aborted (Ctrl-C), no further try: the last error is thrown. */
  signal?: AbortSignal | undefined;
  onRetry?: ((what: string, error: unknown, delayMs: number) => void) | undefined;
}

/**
 * Every read of a command goes through here: `decideAfterReadFailure` decides, the command's
 * clock sleeps. p-retry runs the loop (https://github.com/sindresorhus/p-retry: `shouldRetry` is
 * awaited before each retry); its own delay is zero because the delay is the decision's.
 */
export class Reads {
  readonly #options: ReadsOptions;

  constructor(options: ReadsOptions) {
    this.#options = options;
  }

  get health(): ServiceHealth {
    return this.#options.health;
  }

  /** Run `request` until it succeeds; its last error is thrown when the decision gives up (a `StudioOutageError` after an outage). */
  read<T>(what: string, request: () => Promise<T>): Promise<T> {
    const { policy, clock, health, signal, onRetry } = this.#options;
    let outage: StudioOutageError | undefined;
    const attempt = async () => {
      const value = await request();
      health.succeeded();
      return value;
    };
    return pRetry(attempt, {
      retries: Number.POSITIVE_INFINITY, // bounded by the decision
      minTimeout: 0,
      maxTimeout: 0,
      shouldRetry: async ({ error, attemptNumber }) => {
        health.note(error, clock.now());
        const failingForMs = health.failingFor(clock.now());
        const decision = decideAfterReadFailure(error, { attempt: attemptNumber, failingForMs }, policy);
        if (decision.action === "outage") outage = new StudioOutageError(failingForMs, error);
        if (decision.action !== "retry" || signal?.aborted) return false;
        onRetry?.(what, error, decision.delayMs);
        await clock.sleep(decision.delayMs, signal);
        return !signal?.aborted;
      },
    }).catch((err: unknown) => {
      throw outage ?? err;
    });
  }
}
