import Bottleneck from "bottleneck";
import { contactKey, type Contact } from "../contacts/contact.js";
import { newContactState, type ContactState } from "../ledger/contact-state.js";
import { StudioApiError } from "../studio/errors.js";
import { backoff, decideAfterCreateFailure } from "../studio/retry-policy.js";
import { LimiterUnavailableError } from "../throttle/create-limiter.js";
import type { Execution } from "../studio/types.js";
import { createdSince } from "./settle-doubts.js";
import type { RunContext } from "./run-context.js";
import { isPastDeadline } from "./plan-rows.js";

/** How a contact left the sender. `in-doubt`: it awaits settlement through List. */
export type SendResult = "created" | "conflict_skipped" | "failed" | "expired" | "pending" | "in-doubt";

/** For `in-doubt`: when List can be trusted to show what the attempt may have created. */
export interface SendOutcome {
  result: SendResult;
  readyAt?: number;
}

/** Bounds the end-and-retry loop: a contact whose Execution keeps reappearing is failed. */
export const MAX_CONFLICT_ENDS = 3;

/**
 * Sends one contact through the limiter until it is created, skipped, failed, in doubt, or the
 * run stops. Every attempt is on disk before its request leaves.
 */
export class ContactSender {
  readonly #ctx: RunContext;

  constructor(ctx: RunContext) {
    this.#ctx = ctx;
  }

  /** Record that the contact's deadline passed before it was created: it is never sent. */
  expire(contact: Contact): "expired" {
    const ctx = this.#ctx;
    const deadline = new Date(contact.notAfter ?? ctx.clock.now()).toISOString();
    void ctx.record({ t: "expired", row: contact.row, to: contact.to, from: contact.from, deadline, at: ctx.nowIso() });
    ctx.thisRun.expired++;
    return "expired";
  }

  async send(contact: Contact): Promise<SendOutcome> {
    const outcome = await this.#send(contact);
    return typeof outcome === "string" ? { result: outcome } : outcome;
  }

  async #send(contact: Contact): Promise<Exclude<SendResult, "in-doubt"> | SendOutcome> {
    const ctx = this.#ctx;
    const key = contactKey(contact.to, contact.from);
    let state = ctx.state.contacts.get(key);
    if (!state) ctx.state.contacts.set(key, (state = newContactState()));
    const base = { row: contact.row, to: contact.to, from: contact.from };
    let conflictEnds = 0;
    let limiterFailures = 0;
    for (;;) {
      if (ctx.stop.stopped) return "pending";
      // A retry, a 429 hold or a settlement may have carried it past its deadline: late is worse than never.
      if (isPastDeadline(contact, ctx.clock.now())) return this.expire(contact);
      const n = state.attempts + 1;
      // The job's own promise: a clustered limiter can reject schedule() (Redis trouble, job
      // expiration) after the job started, and a started job's outcome must never be lost.
      let started: Promise<{ execution: Execution } | { error: unknown }> | undefined;
      let expiredInQueue = false;
      try {
        await ctx.limiter.schedule((departure) => {
          if (ctx.stop.stopped) throw new Bottleneck.BottleneckError("run stopping");
          if (isPastDeadline(contact, ctx.clock.now())) {
            expiredInQueue = true; // it waited for the limiter (a 429 hold) past its deadline
            throw new Bottleneck.BottleneckError("deadline passed");
          }
          started = this.#attempt(contact, base, n, departure);
          return started;
        }, contact.from);
      } catch (err) {
        if (started === undefined) {
          if (expiredInQueue) return this.expire(contact);
          if (err instanceof Bottleneck.BottleneckError || ctx.stop.stopped) return "pending";
          // The limiter failed before the job ran: nothing was sent. Wait and ask again.
          const failure = new LimiterUnavailableError(`the rate limiter is unavailable: ${String(err)}`, { cause: err });
          ctx.noteOutcome(failure);
          await ctx.clock.sleep(backoff(++limiterFailures, ctx.policy, Math.random), ctx.stop.signal);
          continue;
        }
      }
      if (started === undefined) return "pending";
      const outcome = await started; // a ledger failure rejects here and stops the run
      ctx.noteOutcome("execution" in outcome ? undefined : outcome.error);
      if ("execution" in outcome) {
        void ctx.record({ t: "created", ...base, sid: outcome.execution.sid, http: 201, at: ctx.nowIso() });
        ctx.thisRun.created++;
        return "created";
      }
      const { error } = outcome;
      const apiError = error instanceof StudioApiError ? error : undefined;
      const failure = {
        http: apiError?.status ?? null,
        code: apiError?.twilioCode ?? null,
        message: error instanceof Error ? error.message : String(error),
      };
      const decision = decideAfterCreateFailure(error, n, ctx.policy);
      switch (decision.action) {
        case "retry":
          void ctx.record({ t: "failed", ...base, final: false, transient: true, ...failure, at: ctx.nowIso() });
          if (decision.account) {
            ctx.thisRun.rateLimited++;
            ctx.emit({ type: "rate-limited", retryAfterMs: decision.delayMs, askedMs: decision.askedMs });
            ctx.limiter.holdFor(decision.delayMs, ctx.clock.now());
          } else {
            await ctx.clock.sleep(decision.delayMs, ctx.stop.signal);
          }
          continue;
        case "fail":
          if (decision.transient && ctx.health.degraded) {
            // Studio is failing everything: not this contact's fault. Keep it for the next run.
            void ctx.record({ t: "failed", ...base, final: false, transient: true, ...failure, at: ctx.nowIso() });
            return "pending";
          }
          void ctx.record({ t: "failed", ...base, final: true, transient: decision.transient, ...failure, at: ctx.nowIso() });
          ctx.thisRun.failed++;
          return "failed";
        case "stop-auth":
          void ctx.record({ t: "failed", ...base, final: false, transient: false, ...failure, at: ctx.nowIso() });
          ctx.stop.request("auth", `credentials rejected: ${failure.message}`);
          return "pending";
        case "settle":
          void ctx.record({ t: "in_doubt", ...base, message: failure.message, at: ctx.nowIso() });
          // An answered 5xx is over; an unanswered request may still be in the server's hands.
          return { result: "in-doubt", readyAt: ctx.clock.now() + (apiError ? 0 : ctx.requestTimeoutMs) };
        case "conflict": {
          const resolved = await this.#resolveConflict(state, base, decision.conflictingSid, conflictEnds);
          if (resolved === "retry") {
            conflictEnds++;
            continue;
          }
          return resolved;
        }
      }
    }
  }

  /** Record the attempt (durable), then send it the moment the limiter allows. */
  async #attempt(
    contact: Contact,
    base: { row: number; to: string; from: string },
    n: number,
    departure: () => Promise<void>,
  ): Promise<{ execution: Execution } | { error: unknown }> {
    const ctx = this.#ctx;
    await ctx.record({ t: "attempt", ...base, n, at: ctx.nowIso() });
    await departure();
    ctx.thisRun.requests++;
    try {
      return { execution: await ctx.client.createExecution(ctx.campaign.flowSid, contact) };
    } catch (error) {
      return { error };
    }
  }

  /** SPEC §1.4 and §5: adopt our own, else skip, or end it and create again (bounded). */
  async #resolveConflict(
    state: ContactState,
    base: { row: number; to: string; from: string },
    conflictingSid: string | undefined,
    endsSoFar: number,
  ): Promise<Exclude<SendResult, "in-doubt"> | "retry"> {
    const ctx = this.#ctx;
    const sid = conflictingSid ?? "";
    if (conflictingSid && state.firstDoubtAt !== undefined) {
      let ours: boolean;
      try {
        ours = await this.#isOurs(conflictingSid, state.firstDoubtAt);
      } catch (err) {
        // Cannot tell whether it is ours: neither skip nor end it; the next run asks again.
        void ctx.record({ t: "failed", ...base, final: false, transient: true, http: null, code: null, message: String(err), at: ctx.nowIso() });
        return "pending";
      }
      if (ours) {
        void ctx.record({ t: "adopted", ...base, sid, via: "conflict", at: ctx.nowIso() });
        ctx.thisRun.created++;
        return "created";
      }
    }
    if (ctx.campaign.onConflict === "skip" || !conflictingSid) {
      void ctx.record({ t: "conflict", ...base, sid, action: "skipped", http: 409, code: 20409, at: ctx.nowIso() });
      ctx.thisRun.conflictSkipped++;
      return "conflict_skipped";
    }
    if (endsSoFar >= MAX_CONFLICT_ENDS) {
      const message = `an Execution was still active after ${MAX_CONFLICT_ENDS} ends (last ${sid})`;
      void ctx.record({ t: "failed", ...base, final: true, transient: false, http: 409, code: 20409, message, at: ctx.nowIso() });
      ctx.thisRun.failed++;
      return "failed";
    }
    try {
      await ctx.client.endExecution(ctx.campaign.flowSid, sid);
    } catch (err) {
      if (err instanceof StudioApiError && err.status === 404) {
        // Active on another flow: not this campaign's to end.
        void ctx.record({ t: "conflict", ...base, sid, action: "skipped", http: 409, code: 20409, at: ctx.nowIso() });
        ctx.thisRun.conflictSkipped++;
        return "conflict_skipped";
      }
      // 409: it had ended already; go on.
      if (!(err instanceof StudioApiError && err.status === 409)) {
        if (err instanceof StudioApiError && err.isAuthFailure) {
          ctx.stop.request("auth", `credentials rejected: ${err.message}`);
          return "pending";
        }
        // Could not end it now: leave the contact pending for the next run.
        void ctx.record({ t: "failed", ...base, final: false, transient: true, http: null, code: null, message: String(err), at: ctx.nowIso() });
        return "pending";
      }
    }
    void ctx.record({ t: "conflict", ...base, sid, action: "ended", http: 409, code: 20409, at: ctx.nowIso() });
    return "retry";
  }

  /** The conflicting Execution is ours when it is on our flow and was created since our first doubt. */
  async #isOurs(sid: string, firstDoubtAt: number): Promise<boolean> {
    try {
      const execution = await this.#ctx.client.fetchExecution(this.#ctx.campaign.flowSid, sid);
      return createdSince(execution, firstDoubtAt);
    } catch (err) {
      if (err instanceof StudioApiError && err.status === 404) return false; // on another flow
      throw err;
    }
  }
}
