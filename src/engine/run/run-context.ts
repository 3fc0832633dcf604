import type { AccountLimiter } from "../../throttle/create-limiter.js";
import type { Clock, StopControl } from "../../clock.js";
import type { Reads } from "../../studio/read-retry.js";
import type { ServiceHealth } from "../../studio/service-health.js";
import type { LedgerStore, LedgerWriter } from "../../ledger/ledger-store.js";
import { applyEvent, type LedgerState } from "../../ledger/fold.js";
import type { LedgerEvent } from "../../ledger/events.js";
import type { StudioClient } from "../../studio/client.js";
import type { RetryPolicy } from "../../studio/retry-policy.js";
import type { Campaign } from "../../campaign/campaign.js";
import type { RunEvent } from "./run-events.js";
import type { CampaignKind } from "../kinds/campaign-kind.js";
import type { OptedOut } from "../../opt-outs/opted-out.js";

/** What a run's parts share, named (`RunContext`'s options). */
export interface RunContextOptions {
  campaign: Campaign;
  /** The campaign's kind, chosen once for the run. */
  kind: CampaignKind;
  client: StudioClient;
  limiter: AccountLimiter;
  ledger: LedgerWriter;
  /** The run's ledger (this shard's), for what the run reads back: the Executions created since a doubt. */
  store: LedgerStore;
  state: LedgerState;
  policy: RetryPolicy;
  stop: StopControl;
  clock: Clock;
  /** Every read of the run (the preflight's, List to settle doubts, a conflicting Execution's Fetch); its health is the run's. */
  reads: Reads;
  emit: (event: RunEvent) => void;
  /** How long an unanswered request may still be processed by the server, ms. */
  requestTimeoutMs: number;
  /** How long Studio may fail every request before the run stops (exit 75), ms. */
  outageAfterMs: number;
  /** The opt-out list, read again as the run goes (docs/reference.md §12): asked before each create leaves. */
  optedOut: OptedOut;
}

/** Everything a run's parts share, built once per run. */
export class RunContext {
  readonly pendingWrites = new Set<Promise<void>>();
  readonly campaign: Campaign;
  readonly kind: CampaignKind;
  readonly client: StudioClient;
  readonly limiter: AccountLimiter;
  readonly ledger: LedgerWriter;
  readonly store: LedgerStore;
  readonly state: LedgerState;
  readonly policy: RetryPolicy;
  readonly stop: StopControl;
  readonly clock: Clock;
  readonly reads: Reads;
  readonly emit: (event: RunEvent) => void;
  readonly requestTimeoutMs: number;
  readonly outageAfterMs: number;
  readonly optedOut: OptedOut;

  constructor(options: RunContextOptions) {
    ({
      campaign: this.campaign,
      kind: this.kind,
      client: this.client,
      limiter: this.limiter,
      ledger: this.ledger,
      store: this.store,
      state: this.state,
      policy: this.policy,
      stop: this.stop,
      clock: this.clock,
      reads: this.reads,
      emit: this.emit,
      requestTimeoutMs: this.requestTimeoutMs,
      outageAfterMs: this.outageAfterMs,
      optedOut: this.optedOut,
    } = options);
  }

  /** Whether Studio answers at all: shared by the run's creates and reads. */
  get health(): ServiceHealth {
    return this.reads.health;
  }

  /** Note a create's outcome; stops the run when Studio has failed everything for too long. */
  noteOutcome(error: unknown | undefined): void {
    const now = this.clock.now();
    this.health.note(error, now);
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
    return this.#pending(this.ledger.append(event));
  }

  /** Append events the state already holds (a plan folds each as it decides); resolves once all are on disk. */
  appendAll(events: readonly LedgerEvent[]): Promise<void> {
    return this.#pending(this.ledger.appendAll(events));
  }

  #pending(write: Promise<void>): Promise<void> {
    this.pendingWrites.add(write);
    void write.finally(() => this.pendingWrites.delete(write)).catch(() => undefined);
    return write;
  }

  #isoAt = Number.NaN;
  #iso = "";

  /** Now as ISO 8601; several ledger lines a millisecond share one string (1 % of a create's CPU). */
  nowIso(): string {
    const now = this.clock.now();
    if (now !== this.#isoAt) {
      this.#isoAt = now;
      this.#iso = new Date(now).toISOString();
    }
    return this.#iso;
  }
}
