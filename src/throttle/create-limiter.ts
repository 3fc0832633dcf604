import Bottleneck from "bottleneck";
import { WindowGate } from "./window-gate.js";

export interface CreateLimiterOptions {
  /** New Executions per second (may be fractional). */
  perSecond: number;
  /** Requests in flight at most. */
  concurrency: number;
  /**
   * Spacing margin over 1/rate. A strict server counts arrivals; jitter between our start
   * and its arrival could otherwise put rate+1 in one window.
   */
  pacingMargin?: number;
}

/**
 * Spacing is 1.5% longer than 1/rate: rate+1 starts span 1015 ms, which leaves a strict
 * server's 1-second window a 15 ms budget for jitter between our start and its arrival, and the
 * window gate (1010 ms) never waits in the normal case. Costs 1.5% of the configured rate.
 */
export const DEFAULT_PACING_MARGIN = 0.015;
const GATE_WINDOW_MS = 1010;

/**
 * The create limiter: an even spacing of `1/rate` (plus a margin) between request starts and
 * at most `concurrency` in flight. Built once per run and passed in. Even spacing, not a
 * per-second reservoir, so that no burst at a window edge can exceed a strict server's count,
 * and the achieved rate does not depend on latency as long as `concurrency ≥ rate × latency`.
 */
export function createLimiter(options: CreateLimiterOptions): AccountLimiter {
  const margin = options.pacingMargin ?? DEFAULT_PACING_MARGIN;
  const limiter = new Bottleneck({
    maxConcurrent: options.concurrency,
    minTime: (1000 / options.perSecond) * (1 + margin),
  });
  const gate = options.perSecond >= 1 ? new WindowGate({ perWindow: options.perSecond, windowMs: GATE_WINDOW_MS }) : undefined;
  return new AccountLimiter(limiter, gate);
}

/** A Bottleneck limiter plus the account-wide hold that a 429 asks for. */
export class AccountLimiter {
  readonly #limiter: Bottleneck;
  #holdUntil = 0;
  #holdTimer: NodeJS.Timeout | undefined;

  readonly #gate: WindowGate | undefined;

  constructor(limiter: Bottleneck, gate?: WindowGate) {
    this.#limiter = limiter;
    this.#gate = gate;
  }

  /**
   * Run `job` when the rate allows. The job awaits `departure()` immediately before its request
   * leaves, after any local work (the ledger's fsync), so that the window gate sees true
   * departure times.
   */
  schedule<T>(job: (departure: () => Promise<void>) => Promise<T>): Promise<T> {
    const gate = this.#gate;
    return this.#limiter.schedule(() => job(gate ? () => gate.pass() : async () => undefined));
  }

  /**
   * A 429 is an account signal (another process may share the account): stop starting any
   * request until `ms` from now. The limiter's reservoir is set to 0 and restored after.
   */
  holdFor(ms: number, now: number = Date.now()): void {
    const until = now + ms;
    if (until <= this.#holdUntil) return;
    this.#holdUntil = until;
    void this.#limiter.updateSettings({ reservoir: 0 });
    clearTimeout(this.#holdTimer);
    this.#holdTimer = setTimeout(() => {
      this.#holdTimer = undefined;
      void this.#limiter.updateSettings({ reservoir: null });
    }, ms);
  }

  #stopping: Promise<void> | undefined;

  /** Stop (idempotent): jobs not yet started are dropped (their promises reject). */
  stop(): Promise<void> {
    clearTimeout(this.#holdTimer);
    this.#stopping ??= this.#limiter.stop({ dropWaitingJobs: true });
    return this.#stopping;
  }

  async disconnect(): Promise<void> {
    clearTimeout(this.#holdTimer);
    await this.#limiter.disconnect();
  }
}
