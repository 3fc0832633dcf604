import { LIST_PAGE_SIZE } from "../../studio/types.js";
import { unitLine, unitOf, type Contact } from "../../contacts/contact.js";
import { unitKey } from "../../contacts/unit.js";
import { executionSidsSince } from "../../ledger/recent-events.js";
import { StudioApiError } from "../../studio/errors.js";
import type { Execution, ExecutionPage } from "../../studio/types.js";
import type { RunContext } from "./run-context.js";
import { CLOCK_SKEW_MS } from "../../studio/created-since.js";
import { matchDoubts, reminderCandidates, type Doubt, type ExecutionParameters } from "./settle-doubts.js";

export interface PendingDoubt {
  contact: Contact;
  /** Not before: a request the server may still be processing must have finished. */
  readyAt: number;
}

/**
 * Settles in-doubt contacts with one paged List of the flow per settlement (not a request per
 * contact): a contact whose Execution is found is adopted; one with none may be sent again.
 */
export class DoubtSettler {
  readonly #ctx: RunContext;
  readonly #doubts = new Map<string, PendingDoubt>();

  constructor(ctx: RunContext) {
    this.#ctx = ctx;
  }

  get size(): number {
    return this.#doubts.size;
  }

  add(doubt: PendingDoubt): void {
    this.#doubts.set(unitKey(unitOf(doubt.contact)), doubt);
  }

  async settle(): Promise<{ adopted: Contact[]; resend: Contact[]; exhausted: Contact[] }> {
    const ctx = this.#ctx;
    const result = { adopted: [] as Contact[], resend: [] as Contact[], exhausted: [] as Contact[] };
    const doubts = [...this.#doubts.entries()];
    const readyAt = doubts.reduce((latest, [, d]) => Math.max(latest, d.readyAt), -Infinity);
    const wait = readyAt - ctx.clock.now();
    if (wait > 0) await ctx.clock.sleep(wait, ctx.stop.signal);
    if (ctx.stop.stopped) return result;
    ctx.emit({ type: "settling", doubts: doubts.length });

    const toMatch: Doubt[] = doubts.map(([key, d]) => ({
      key,
      to: d.contact.to,
      since: ctx.state.units.get(key)?.firstDoubtAt ?? 0,
      reminder: d.contact.reminder && { name: d.contact.reminder.name, key: d.contact.reminder.key },
    }));
    const since = toMatch.reduce((earliest, d) => Math.min(earliest, d.since), Infinity);
    const executions = await this.#listSince(since);
    if (executions === undefined) return result;

    // SIDs the ledger already gives to a unit are never adopted again: those created since the
    // earliest doubt (rarely read: only when settling, and only that far back).
    await ctx.ledger.flush();
    const knownSids = await executionSidsSince(ctx.store, since - CLOCK_SKEW_MS);
    const parameters = await this.#parametersOf(reminderCandidates(toMatch, executions, knownSids));
    if (parameters === undefined) return result;
    const matches = matchDoubts(toMatch, executions, knownSids, parameters, ctx.kind.appointmentParameter);
    for (const [key, { contact }] of doubts) {
      const base = { ...unitLine(contact), at: ctx.nowIso() };
      const sid = matches.get(key);
      const state = ctx.state.units.get(key);
      if (sid) {
        void ctx.record({ t: "adopted", ...base, sid, via: "list" });
        result.adopted.push(contact);
      } else if ((state?.attempts ?? 0) >= ctx.policy.maxAttempts) {
        void ctx.record({ t: "cleared", ...base });
        const message = `no Execution was created after ${state?.attempts} attempts whose outcome was unknown`;
        void ctx.record({ t: "failed", ...base, final: true, transient: true, http: null, code: null, message });
        result.exhausted.push(contact);
      } else {
        void ctx.record({ t: "cleared", ...base });
        result.resend.push(contact);
      }
      this.#doubts.delete(key);
    }
    return result;
  }

  /**
   * The Parameters (`flow.data`) of Executions a reminder doubt might be matched to, from their
   * Context: only a reminder's doubts need them (several units share a number). Undefined if the
   * reads keep failing (the run stops; the doubts stay for the next one).
   */
  async #parametersOf(sids: readonly string[]): Promise<ExecutionParameters | undefined> {
    const ctx = this.#ctx;
    const parameters = new Map<string, Record<string, unknown>>();
    try {
      for (const sid of sids) {
        const resource = await ctx.reads.read("Context", () => ctx.client.fetchExecutionContext(ctx.campaign.flowSid, sid));
        const data = (resource.context as { flow?: { data?: unknown } } | undefined)?.flow?.data;
        if (typeof data === "object" && data !== null) parameters.set(sid, data as Record<string, unknown>);
      }
      return parameters;
    } catch (err) {
      ctx.stop.request("outage", `could not read the Executions' Parameters to settle in-doubt reminders: ${String(err)}`);
      return undefined;
    }
  }

  /** Every Execution of the flow created since shortly before `since`; undefined if List keeps failing. */
  async #listSince(since: number): Promise<Execution[] | undefined> {
    const ctx = this.#ctx;
    const dateCreatedFrom = new Date(Math.floor(since / 1000) * 1000 - CLOCK_SKEW_MS);
    const read = (request: () => Promise<ExecutionPage>) => ctx.reads.read("List", request);
    try {
      const executions: Execution[] = [];
      for await (const execution of ctx.client.listExecutions(ctx.campaign.flowSid, { dateCreatedFrom, pageSize: LIST_PAGE_SIZE }, read))
        executions.push(execution);
      return executions;
    } catch (err) {
      if (err instanceof StudioApiError && err.isAuthFailure) ctx.stop.request("auth", `credentials rejected: ${err.message}`);
      else ctx.stop.request("outage", `could not list Executions to settle in-doubt contacts: ${String(err)}`);
      return undefined;
    }
  }
}
