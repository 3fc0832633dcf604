import { StudioCampaignError } from "../errors.js";
import { StudioApiError, StudioTransportError } from "./errors.js";

/**
 * Whether Studio answers at all, shared by every request of a command (creates and reads). A
 * streak of 5xx and transport failures marks it degraded (no contact is failed for a transient
 * error then: it stays pending); a streak longer than the outage bound stops the command
 * (exit 75), leaving what is not done for the next one.
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

  /** Note a request's outcome: a service failure continues the streak, anything else (an answer) ends it. */
  note(error: unknown | undefined, now: number): void {
    if (error !== undefined && isServiceFailure(error)) this.failed(now);
    else this.succeeded();
  }

  get degraded(): boolean {
    return this.#streak >= DEGRADED_AFTER_FAILURES;
  }

  failingFor(now: number): number {
    return this.#failingSince === undefined ? 0 : now - this.#failingSince;
  }
}

const DEGRADED_AFTER_FAILURES = 3;

/** No answer, a 5xx, or the shared rate limiter (Redis) failing before a request could leave. */
export function isServiceFailure(error: unknown): boolean {
  if (error instanceof StudioTransportError) return true;
  if (error instanceof StudioApiError) return error.status >= 500;
  return error instanceof StudioCampaignError && error.code === "LIMITER_UNAVAILABLE";
}
