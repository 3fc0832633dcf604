/**
 * The one clock of a command: what time it is, and sleeps that a stop cuts short.
 * Everything that waits — backoff between reads, a create's retry, the settlement of doubts, a
 * run's `--max-runtime` — sleeps on it, so that Ctrl-C ends any wait at once and a test moves
 * time forward instead of waiting for it. (The rate limiter keeps real time: Bottleneck assumes
 * time only moves forward, and its pace is the point.) This file imports nothing.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/** Why a command stopped before it was done (exit 75, but `auth`: 77). */
export type StopReason = "signal" | "max-runtime" | "limit" | "window" | "cap" | "export" | "outage" | "auth";

/** The one way a command is asked to stop; the first reason wins. Its `signal` aborts the clock's sleeps. */
export class StopControl {
  readonly #controller = new AbortController();
  reason: StopReason | undefined;
  message: string | undefined;

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get stopped(): boolean {
    return this.reason !== undefined;
  }

  request(reason: StopReason, message: string): boolean {
    if (this.reason !== undefined) return false;
    this.reason = reason;
    this.message = message;
    this.#controller.abort();
    return true;
  }
}
