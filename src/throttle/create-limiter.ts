import Bottleneck from "bottleneck";

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

/** 1% keeps the 1-second windows under the limit on a loopback-to-WAN jitter budget of ~10 ms at 20/s. */
export const DEFAULT_PACING_MARGIN = 0.01;

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
  return new AccountLimiter(limiter);
}

/** A Bottleneck limiter plus the account-wide hold that a 429 asks for. */
export class AccountLimiter {
  readonly #limiter: Bottleneck;
  #holdUntil = 0;
  #holdTimer: NodeJS.Timeout | undefined;

  constructor(limiter: Bottleneck) {
    this.#limiter = limiter;
  }

  schedule<T>(job: () => Promise<T>): Promise<T> {
    return this.#limiter.schedule(job);
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

  /** Stop: jobs not yet started are dropped (their promises reject). */
  async stop(): Promise<void> {
    clearTimeout(this.#holdTimer);
    await this.#limiter.stop({ dropWaitingJobs: true });
  }

  async disconnect(): Promise<void> {
    clearTimeout(this.#holdTimer);
    await this.#limiter.disconnect();
  }
}
