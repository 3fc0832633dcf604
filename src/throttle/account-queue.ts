import type Bottleneck from "bottleneck";
import pLimit from "p-limit";
import { StudioCampaignError } from "../errors.js";

/**
 * Where a create waits for its turn on the account: Bottleneck where it paces (the account's
 * spacing, or its clustered state in Redis), a plain concurrency bound where there is no pace to
 * keep. `hold(true)` starts nothing new until `hold(false)` (a 429's Retry-After).
 */
export interface AccountQueue {
  schedule<T>(job: () => Promise<T>): Promise<T>;
  hold(on: boolean): void;
  /** Resolves when the queue can take jobs (a clustered one: once Redis answered). */
  ready(): Promise<void>;
  /** Jobs not started yet are dropped: their promises reject with `JobDropped`. */
  stop(): Promise<void>;
}

/** A job that was never started: dropped by a stopping queue, or withdrawn by the job itself before it did anything. */
export class JobDropped extends StudioCampaignError {
  override readonly name = "JobDropped";

  constructor(message: string) {
    super("JOB_DROPPED", message);
  }
}

/** Bottleneck's own "dropped" and "stopped" errors (its module's `BottleneckError`), as `JobDropped`; anything else unchanged. */
export function droppedAsOurs<T>(scheduled: Promise<T>, BottleneckError: typeof Bottleneck.BottleneckError): Promise<T> {
  return scheduled.catch((err: unknown) => {
    throw err instanceof BottleneckError ? new JobDropped(err.message) : err;
  });
}

/** A Bottleneck limiter (local or clustered) as the account's queue; `BottleneckError` is its module's. */
export function bottleneckQueue(
  limiter: Bottleneck,
  options: { expiration?: number; BottleneckError: typeof Bottleneck.BottleneckError },
): AccountQueue {
  const { BottleneckError, ...jobOptions } = options;
  // A Redis hiccup is reported per job (its schedule() rejects); the limiter's own error
  // events (heartbeat failures) must not crash the process.
  limiter.on("error", () => undefined);
  // updateSettings is async at run time (a Redis call when clustered), whatever its typings say.
  const settle = (result: unknown) => {
    if (result instanceof Promise) result.catch(() => undefined);
  };
  return {
    schedule: (job) => droppedAsOurs(limiter.schedule(jobOptions, job), BottleneckError),
    hold: (on) => settle(limiter.updateSettings({ reservoir: on ? 0 : null })),
    ready: async () => void (await limiter.ready()),
    stop: () => limiter.stop({ dropWaitingJobs: true }),
  };
}

/**
 * At most `concurrency` jobs at once and nothing else (p-limit): for a local run whose rate asks
 * for no spacing a timer could keep. A hold is kept by the account limiter's own wait inside
 * each job; once stopped, a job that reaches its turn is dropped instead of run.
 */
export function unpacedQueue(concurrency: number): AccountQueue {
  const limit = pLimit(concurrency);
  let stopped = false;
  return {
    schedule: (job) =>
      limit(() => {
        if (stopped) throw new JobDropped("the limiter has been stopped");
        return job();
      }),
    hold: () => undefined,
    ready: () => Promise.resolve(),
    stop: async () => {
      stopped = true;
    },
  };
}
