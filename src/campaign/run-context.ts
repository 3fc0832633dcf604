import type { AccountLimiter } from "../throttle/create-limiter.js";
import type { LedgerWriter } from "../ledger/write-ledger.js";
import { applyEvent, type LedgerState } from "../ledger/contact-state.js";
import type { LedgerEvent } from "../ledger/events.js";
import type { StudioClient } from "../studio/client.js";
import type { RetryPolicy } from "../studio/retry-policy.js";
import type { Campaign } from "./campaign.js";
import type { RunEvent, RunSummary, StopReason } from "./run-events.js";

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

/** The one way a run is asked to stop; the first reason wins. */
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

/** Everything a run's parts share, built once per run. */
export class RunContext {
  readonly pendingWrites = new Set<Promise<void>>();

  constructor(
    readonly campaign: Campaign,
    readonly client: StudioClient,
    readonly limiter: AccountLimiter,
    readonly ledger: LedgerWriter,
    readonly state: LedgerState,
    readonly policy: RetryPolicy,
    readonly stop: StopControl,
    readonly clock: Clock,
    readonly emit: (event: RunEvent) => void,
    readonly thisRun: RunSummary["thisRun"],
    /** How long an unanswered request may still be processed by the server, ms. */
    readonly requestTimeoutMs: number,
  ) {}

  /** Apply to the state and append; the returned promise resolves once the line is on disk. */
  record(event: LedgerEvent): Promise<void> {
    applyEvent(this.state, event);
    const write = this.ledger.append(event);
    this.pendingWrites.add(write);
    void write.finally(() => this.pendingWrites.delete(write)).catch(() => undefined);
    return write;
  }

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
