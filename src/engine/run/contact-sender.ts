import { unitLine, unitOf, type Contact } from "../../contacts/contact.js";
import { unitKey } from "../../contacts/unit.js";
import { newUnitState, type UnitState } from "../../ledger/fold.js";
import type { AttemptFailed } from "../../ledger/events.js";
import { StudioApiError } from "../../studio/errors.js";
import { backoff, decideAfterCreateFailure, type CreateFailureDecision } from "../../studio/retry-policy.js";
import { JobDropped } from "../../throttle/account-queue.js";
import { LimiterUnavailableError } from "../../throttle/create-limiter.js";
import type { Execution } from "../../studio/types.js";
import { decideAfterEnd, decideConflict, type ConflictFacts, type EndOutcome } from "./conflict-decision.js";
import { CLOCK_SKEW_MS, createdSince } from "../../studio/created-since.js";
import { executionSidsSince } from "../../ledger/recent-events.js";
import type { RunContext } from "./run-context.js";
import { isPastDeadline } from "../plan/plan-rows.js";

/**
 * A final or pending status; `in-doubt`: it awaits settlement through List; `waiting`: pending
 * behind a busy number (docs/reference.md §16); `opted_out`: the list, read again, had its opt-out by the time it left.
 */
export type SendResult = "created" | "conflict_skipped" | "failed" | "expired" | "opted_out" | "pending" | "in-doubt" | "waiting";

/** How a contact left the sender: a value, counted by the run loop (the sender counts nothing). */
export interface SendOutcome {
  result: SendResult;
  /** For `in-doubt`: when List can be trusted to show what the attempt may have created. */
  readyAt?: number;
  /** Create requests that left for this contact, and how many were answered 429. */
  requests: number;
  rateLimited: number;
}

/** Where one attempt through the limiter ended before its answer was read. */
/** A create's answer: an Execution, an error, or none because it was withdrawn before it left. */
type Attempted = { execution: Execution } | { error: unknown } | { withdrawn: "expired" | "pending" | "opted_out" };

type Scheduled =
  | { kind: "started"; outcome: { execution: Execution } | { error: unknown } }
  /** Not sent: the run is stopping, or the limiter dropped the job. */
  | { kind: "pending" }
  /** Not sent: its deadline passed while it waited (in the queue, or at departure after its attempt line). */
  | { kind: "expired" }
  /** Not sent: the opt-out list, read again when it left the queue, had the contact's opt-out. */
  | { kind: "opted_out" }
  /** The limiter failed before the job ran (Redis trouble): nothing was sent; ask again. */
  | { kind: "limiter-failed" };

/** A conflict left for the next run: transient, no HTTP answer decided it. */
const unresolved = (err: unknown) => ({ final: false, transient: true, http: null, code: null, message: String(err) });

/** One unit's identity in every ledger line about it. */
type RowBase = ReturnType<typeof unitLine>;

/** The contact being sent, what it has been through so far in this run. */
interface Sending {
  contact: Contact;
  base: RowBase;
  state: UnitState;
  requests: number;
  rateLimited: number;
  conflictEnds: number;
  limiterFailures: number;
}

/**
 * Sends one contact through the limiter until it is created, skipped, failed, in doubt, or the
 * run stops. Every attempt is on disk before its request leaves. Decisions are the pure
 * `decideAfterCreateFailure` and `decideConflict`; this class performs them.
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
    void ctx.record({ t: "expired", ...unitLine(contact), deadline, at: ctx.nowIso() });
    return "expired";
  }

  async send(contact: Contact): Promise<SendOutcome> {
    const ctx = this.#ctx;
    const key = unitKey(unitOf(contact));
    let state = ctx.state.units.get(key);
    if (!state) ctx.state.units.set(key, (state = newUnitState()));
    const sending: Sending = {
      contact,
      base: unitLine(contact),
      state,
      requests: 0,
      rateLimited: 0,
      conflictEnds: 0,
      limiterFailures: 0,
    };
    for (;;) {
      const next = await this.#tryOnce(sending);
      if (next === "again") continue;
      const { result, readyAt } = typeof next === "string" ? { result: next, readyAt: undefined } : next;
      return { result, ...(readyAt === undefined ? {} : { readyAt }), requests: sending.requests, rateLimited: sending.rateLimited };
    }
  }

  /** One pass: an attempt through the limiter and what its answer means. */
  async #tryOnce(sending: Sending): Promise<SendResult | { result: "in-doubt"; readyAt: number } | "again"> {
    const ctx = this.#ctx;
    if (ctx.stop.stopped) return "pending";
    // A retry, a 429 hold or a settlement may have carried it past its deadline: late is worse than never.
    if (isPastDeadline(sending.contact, ctx.clock.now())) return this.expire(sending.contact);
    const scheduled = await this.#schedule(sending);
    switch (scheduled.kind) {
      case "expired":
        return this.expire(sending.contact);
      case "opted_out":
        void ctx.record({ t: "opted_out", ...sending.base, at: ctx.nowIso() });
        return "opted_out";
      case "pending":
        return "pending";
      case "limiter-failed":
        return "again";
    }
    const { outcome } = scheduled;
    ctx.noteOutcome("execution" in outcome ? undefined : outcome.error);
    if ("execution" in outcome) {
      void ctx.record({ t: "created", ...sending.base, sid: outcome.execution.sid, http: 201, at: ctx.nowIso() });
      return "created";
    }
    return this.#afterFailure(sending, outcome.error);
  }

  /** Through the limiter: the attempt's line on disk, then its request at departure. */
  async #schedule(sending: Sending): Promise<Scheduled> {
    const ctx = this.#ctx;
    const { contact } = sending;
    const n = sending.state.attempts + 1;
    // The job's own promise: a clustered limiter can reject schedule() (Redis trouble, job
    // expiration) after the job started, and a started job's outcome must never be lost.
    let started: Promise<Attempted> | undefined;
    let expiredInQueue = false;
    try {
      await ctx.limiter.schedule((departure) => {
        if (ctx.stop.stopped) throw new JobDropped("run stopping");
        if (isPastDeadline(contact, ctx.clock.now())) {
          expiredInQueue = true; // it waited for the limiter (a 429 hold) past its deadline
          throw new JobDropped("deadline passed");
        }
        started = this.#attempt(sending, n, departure);
        return started;
      }, contact.from);
    } catch (err) {
      if (started === undefined) {
        if (expiredInQueue) return { kind: "expired" };
        if (err instanceof JobDropped || ctx.stop.stopped) return { kind: "pending" };
        // The limiter failed before the job ran: nothing was sent. Wait and ask again.
        ctx.noteOutcome(new LimiterUnavailableError(`the rate limiter is unavailable: ${String(err)}`, { cause: err }));
        await ctx.clock.sleep(backoff(++sending.limiterFailures, ctx.policy, Math.random), ctx.stop.signal);
        return { kind: "limiter-failed" };
      }
    }
    if (started === undefined) return { kind: "pending" };
    const outcome = await started; // a ledger failure rejects here and stops the run
    return "withdrawn" in outcome ? { kind: outcome.withdrawn } : { kind: "started", outcome };
  }

  /**
   * Record the attempt (durable), then send it the moment the limiter allows. First the opt-out
   * list as of now (docs/reference.md §12): read again when its last look is 30 s old on the run's clock, so
   * that an opt-out committed a minute before the contact's turn — by another campaign, another
   * machine, an import — stops it here, however long it waited in the queue since it was planned.
   */
  async #attempt(sending: Sending, n: number, departure: () => Promise<void>): Promise<Attempted> {
    const ctx = this.#ctx;
    await ctx.optedOut.refreshIfStale(ctx.clock.now());
    if (ctx.optedOut.has(sending.contact.to)) return { withdrawn: "opted_out" };
    await ctx.record({ t: "attempt", ...sending.base, n, at: ctx.nowIso() });
    await departure();
    // It may have waited out a 429 hold: past its deadline, or with the run stopping, it is never
    // sent, and the ledger says so.
    const withdrawn = isPastDeadline(sending.contact, ctx.clock.now()) ? "expired" : ctx.stop.stopped ? "pending" : undefined;
    if (withdrawn) {
      await ctx.record({ t: "withdrawn", ...sending.base, at: ctx.nowIso() });
      return { withdrawn };
    }
    sending.requests++;
    try {
      return { execution: await ctx.client.createExecution(ctx.campaign.flowSid, sending.contact) };
    } catch (error) {
      return { error };
    }
  }

  /** Perform `decideAfterCreateFailure`'s decision for a failed create. */
  async #afterFailure(sending: Sending, error: unknown): Promise<SendResult | { result: "in-doubt"; readyAt: number } | "again"> {
    const ctx = this.#ctx;
    const apiError = error instanceof StudioApiError ? error : undefined;
    const failure = {
      http: apiError?.status ?? null,
      code: apiError?.twilioCode ?? null,
      message: error instanceof Error ? error.message : String(error),
    };
    const recordFailed = (final: boolean, transient: boolean) => this.#recordFailed(sending, { final, transient, ...failure });
    const decision: CreateFailureDecision = decideAfterCreateFailure(error, sending.state.attempts, ctx.policy);
    switch (decision.action) {
      case "retry":
        recordFailed(false, true);
        if (decision.account) {
          sending.rateLimited++;
          ctx.emit({ type: "rate-limited", retryAfterMs: decision.delayMs, askedMs: decision.askedMs });
          ctx.limiter.holdFor(decision.delayMs, ctx.clock.now());
        } else {
          await ctx.clock.sleep(decision.delayMs, ctx.stop.signal);
        }
        return "again";
      case "fail":
        if (decision.transient && ctx.health.degraded) {
          // Studio is failing everything: not this contact's fault. Keep it for the next run.
          recordFailed(false, true);
          return "pending";
        }
        recordFailed(true, decision.transient);
        return "failed";
      case "stop-auth":
        recordFailed(false, false);
        ctx.stop.request("auth", `credentials rejected: ${failure.message}`);
        return "pending";
      case "settle":
        void ctx.record({ t: "in_doubt", ...sending.base, message: failure.message, at: ctx.nowIso() });
        // An answered 5xx is over; an unanswered request may still be in the server's hands.
        return { result: "in-doubt", readyAt: ctx.clock.now() + (apiError ? 0 : ctx.requestTimeoutMs) };
      case "conflict":
        return this.#resolveConflict(sending, decision.conflictingSid);
    }
  }

  /** docs/reference.md §1 and §5: perform `decideConflict` — adopt our own, else skip, or end it and create again (bounded). */
  async #resolveConflict(sending: Sending, sid: string | undefined): Promise<SendResult | "again"> {
    const ctx = this.#ctx;
    const facts: ConflictFacts = { policy: ctx.campaign.onConflict, sid, ours: "not-asked", endsSoFar: sending.conflictEnds };
    let fetchError: unknown;
    if (sid !== undefined && sending.state.firstDoubtAt !== undefined) {
      facts.ours = await this.#isOurs(sid, sending.state.firstDoubtAt).then(
        (ours) => (ours ? "yes" : "no"),
        (err: unknown) => ((fetchError = err), "unknown" as const),
      );
    }
    const decision = decideConflict(facts);
    switch (decision.kind) {
      case "pending":
        this.#recordFailed(sending, unresolved(fetchError));
        return "pending";
      case "adopt":
        void ctx.record({ t: "adopted", ...sending.base, sid: sid ?? "", via: "conflict", at: ctx.nowIso() });
        return "created";
      case "skip":
        this.#recordConflict(sending, sid, "skipped");
        return "conflict_skipped";
      case "wait":
        this.#recordConflict(sending, sid, "waiting");
        return "waiting";
      case "fail":
        this.#recordFailed(sending, { final: true, transient: false, http: 409, code: 20409, message: decision.message });
        return "failed";
      case "end-and-retry":
        return this.#endAndRetry(sending, sid!);
    }
  }

  /** Perform `decideAfterEnd`: create again once it ended, else skip, stop or leave pending. */
  async #endAndRetry(sending: Sending, sid: string): Promise<SendResult | "again"> {
    const { outcome, error } = await this.#end(sid);
    switch (decideAfterEnd(outcome)) {
      case "retry":
        this.#recordConflict(sending, sid, "ended");
        sending.conflictEnds++;
        return "again";
      case "skip":
        this.#recordConflict(sending, sid, "skipped");
        return "conflict_skipped";
      case "stop-auth":
        this.#ctx.stop.request("auth", `credentials rejected: ${error instanceof Error ? error.message : String(error)}`);
        return "pending";
      case "pending":
        this.#recordFailed(sending, unresolved(error)); // could not end it now: the next run tries again
        return "pending";
    }
  }

  #recordFailed(sending: Sending, failure: Omit<AttemptFailed, "t" | "row" | "to" | "from" | "at">): void {
    void this.#ctx.record({ t: "failed", ...sending.base, ...failure, at: this.#ctx.nowIso() });
  }

  #recordConflict(sending: Sending, sid: string | undefined, action: "skipped" | "ended" | "waiting"): void {
    void this.#ctx.record({ t: "conflict", ...sending.base, sid: sid ?? "", action, http: 409, code: 20409, at: this.#ctx.nowIso() });
  }

  async #end(sid: string): Promise<{ outcome: EndOutcome; error?: unknown }> {
    try {
      await this.#ctx.client.endExecution(this.#ctx.campaign.flowSid, sid);
      return { outcome: "ended" };
    } catch (error) {
      if (!(error instanceof StudioApiError)) return { outcome: "error", error };
      if (error.status === 404) return { outcome: "not-found", error };
      if (error.status === 409) return { outcome: "already-ended", error };
      return { outcome: error.isAuthFailure ? "auth-failure" : "error", error };
    }
  }

  /**
   * The conflicting Execution is ours when it is on our flow, was created since this unit's first
   * doubt, and is no other unit's (another reminder to the same number may have made it since).
   */
  async #isOurs(sid: string, firstDoubtAt: number): Promise<boolean> {
    try {
      const { client, campaign, reads, store, ledger } = this.#ctx;
      const execution = await reads.read("Fetch", () => client.fetchExecution(campaign.flowSid, sid));
      if (!createdSince(execution, firstDoubtAt)) return false;
      await ledger.flush();
      return !(await executionSidsSince(store, firstDoubtAt - CLOCK_SKEW_MS)).has(sid);
    } catch (err) {
      if (err instanceof StudioApiError && err.status === 404) return false; // on another flow
      throw err;
    }
  }
}
