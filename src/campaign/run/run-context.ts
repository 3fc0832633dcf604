import { LimiterUnavailableError, type AccountLimiter } from "../../throttle/create-limiter.js";
import type { LedgerWriter } from "../../ledger/ledger-store.js";
import { applyEvent, type LedgerState } from "../../ledger/contact-state.js";
import type { LedgerEvent } from "../../ledger/events.js";
import type { StudioClient } from "../../studio/client.js";
import { StudioApiError, StudioTransportError } from "../../studio/errors.js";
import type { RetryPolicy } from "../../studio/retry-policy.js";
import type { Campaign } from "../campaign.js";
import type { RunEvent, StopReason } from "./run-events.js";
import type { DailyCap } from "./daily-cap.js";

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

/**
 * Whether Studio answers at all. A streak of 5xx and transport failures marks it degraded (no
 * contact is failed for a transient error then: it stays pending); a streak longer than the
 * outage bound stops the run (exit 75), leaving the affected rows pending for the next run.
 */
export class ServiceHealth {
  #streak = 0;
  #failingSince: number | undefined;

  succeeded(): void {
    this.#streak = 0;
    this.#failingSince = undefined;
  }

  failed(now: number): void {
    this.#streak++;
    this.#failingSince ??= now;
  }

  get degraded(): boolean {
    return this.#streak >= DEGRADED_AFTER_FAILURES;
  }

  failingFor(now: number): number {
    return this.#failingSince === undefined ? 0 : now - this.#failingSince;
  }
}

const DEGRADED_AFTER_FAILURES = 3;

/** What a run's parts share, named (`RunContext`'s options). */
export interface RunContextOptions {
  campaign: Campaign;
  client: StudioClient;
  limiter: AccountLimiter;
  ledger: LedgerWriter;
  state: LedgerState;
  policy: RetryPolicy;
  stop: StopControl;
  clock: Clock;
  emit: (event: RunEvent) => void;
  /** How long an unanswered request may still be processed by the server, ms. */
  requestTimeoutMs: number;
  /** How long Studio may fail every request before the run stops (exit 75), ms. */
  outageAfterMs: number;
  /** The daily cap (SPEC §13), when the campaign has one. */
  cap?: DailyCap | undefined;
}

/** Everything a run's parts share, built once per run. */
export class RunContext {
  readonly pendingWrites = new Set<Promise<void>>();
  readonly health = new ServiceHealth();
  readonly campaign: Campaign;
  readonly client: StudioClient;
  readonly limiter: AccountLimiter;
  readonly ledger: LedgerWriter;
  readonly state: LedgerState;
  readonly policy: RetryPolicy;
  readonly stop: StopControl;
  readonly clock: Clock;
  readonly emit: (event: RunEvent) => void;
  readonly requestTimeoutMs: number;
  readonly outageAfterMs: number;
  readonly cap: DailyCap | undefined;

  constructor(options: RunContextOptions) {
    ({
      campaign: this.campaign,
      client: this.client,
      limiter: this.limiter,
      ledger: this.ledger,
      state: this.state,
      policy: this.policy,
      stop: this.stop,
      clock: this.clock,
      emit: this.emit,
      requestTimeoutMs: this.requestTimeoutMs,
      outageAfterMs: this.outageAfterMs,
      cap: this.cap,
    } = options);
  }

  /** Note a request's outcome; stops the run when Studio has failed everything for too long. */
  noteOutcome(error: unknown | undefined): void {
    if (error === undefined || !isServiceFailure(error)) {
      this.health.succeeded();
      return;
    }
    const now = this.clock.now();
    this.health.failed(now);
    if (this.health.failingFor(now) > this.outageAfterMs) {
      this.stop.request(
        "outage",
        `Studio failed every request for ${Math.round(this.health.failingFor(now) / 1000)} s (last: ${String(error)})`,
      );
    }
  }

  /** Apply to the state and append; the returned promise resolves once the line is on disk. */
  record(event: LedgerEvent): Promise<void> {
    applyEvent(this.state, event);
    const write = this.ledger.append(event);
    this.pendingWrites.add(write);
    void write.finally(() => this.pendingWrites.delete(write)).catch(() => undefined);
    return write;
  }

  #isoAt = Number.NaN;
  #iso = "";

  /** Now as ISO 8601; several ledger lines a millisecond share one string (issue 24: 1 % of a create's CPU). */
  nowIso(): string {
    const now = this.clock.now();
    if (now !== this.#isoAt) {
      this.#isoAt = now;
      this.#iso = new Date(now).toISOString();
    }
    return this.#iso;
  }
}

function isServiceFailure(error: unknown): boolean {
  if (error instanceof StudioTransportError || error instanceof LimiterUnavailableError) return true;
  return error instanceof StudioApiError && error.status >= 500;
}
