import type { PlayedStep } from "./flows.js";
import { randomHex } from "./random.js";

export interface StoredExecution {
  readonly sid: string;
  readonly accountSid: string;
  readonly flowSid: string;
  readonly to: string;
  readonly from: string;
  /** The decoded `Parameters` JSON, as the flow would see it in `flow.data`. */
  readonly parameters: Record<string, unknown> | undefined;
  readonly contactSid: string;
  /** Milliseconds since the epoch; the API shows it at one-second precision. */
  readonly createdAt: number;
  /** Creation order, for stable newest-first paging. */
  readonly seq: number;
  endedAt: number | undefined;
  /** The flow as this contact went through it (a flow with a definition of its own). */
  steps: PlayedStep[] | undefined;
  /** `flow.variables` the played flow set. */
  variables?: Record<string, unknown> | undefined;
}

export interface ListQuery {
  flowSid: string;
  accountSid: string;
  createdFrom?: number;
  createdTo?: number;
  status?: "active" | "ended";
  /** Only executions older (in creation order) than this sequence number. */
  beforeSeq?: number;
  pageSize: number;
}

/**
 * Executions by flow, with Studio's rule that only one Execution may be active for a To/From
 * pair on an account (the source of 409). An auto-end makes Executions end by themselves; it is
 * applied lazily, when an Execution is looked at.
 */
export class ExecutionStore {
  readonly #byFlow = new Map<string, StoredExecution[]>();
  readonly #bySid = new Map<string, StoredExecution>();
  readonly #activeByContact = new Map<string, StoredExecution>();
  readonly #random: () => number;
  readonly #autoEndMs: number | undefined;
  #seq = 0;

  constructor(options: { random: () => number; autoEndMs?: number | undefined }) {
    this.#random = options.random;
    this.#autoEndMs = options.autoEndMs;
  }

  create(init: {
    accountSid: string;
    flowSid: string;
    to: string;
    from: string;
    parameters: Record<string, unknown> | undefined;
    now: number;
    /** A played flow: its steps, and when it ends by itself. */
    play?: { steps: PlayedStep[]; variables?: Record<string, unknown>; endsAt: number } | undefined;
  }): { created: StoredExecution } | { conflict: StoredExecution } {
    const contactKey = `${init.accountSid}|${init.to}|${init.from}`;
    const active = this.#activeByContact.get(contactKey);
    if (active && this.statusOf(active, init.now) === "active") return { conflict: active };
    const execution: StoredExecution = {
      sid: `FN${randomHex(this.#random, 32)}`,
      accountSid: init.accountSid,
      flowSid: init.flowSid,
      to: init.to,
      from: init.from,
      parameters: init.parameters,
      contactSid: `FC${randomHex(this.#random, 32)}`,
      createdAt: init.now,
      seq: ++this.#seq,
      endedAt: init.play?.endsAt,
      steps: init.play?.steps,
      variables: init.play?.variables,
    };
    let flowList = this.#byFlow.get(init.flowSid);
    if (!flowList) this.#byFlow.set(init.flowSid, (flowList = []));
    flowList.push(execution);
    this.#bySid.set(execution.sid, execution);
    this.#activeByContact.set(contactKey, execution);
    return { created: execution };
  }

  get(accountSid: string, flowSid: string, sid: string): StoredExecution | undefined {
    const execution = this.#bySid.get(sid);
    return execution && execution.flowSid === flowSid && execution.accountSid === accountSid ? execution : undefined;
  }

  /** Returns false when it had already ended. */
  end(execution: StoredExecution, now: number): boolean {
    if (this.statusOf(execution, now) === "ended") return false;
    execution.endedAt = now;
    return true;
  }

  delete(execution: StoredExecution): void {
    this.#bySid.delete(execution.sid);
    const flowList = this.#byFlow.get(execution.flowSid);
    if (flowList) flowList.splice(flowList.indexOf(execution), 1);
    const contactKey = `${execution.accountSid}|${execution.to}|${execution.from}`;
    if (this.#activeByContact.get(contactKey) === execution) this.#activeByContact.delete(contactKey);
  }

  statusOf(execution: StoredExecution, now: number): "active" | "ended" {
    if (execution.endedAt !== undefined && execution.endedAt <= now) return "ended";
    if (this.#autoEndMs !== undefined && now - execution.createdAt >= this.#autoEndMs) {
      execution.endedAt = execution.createdAt + this.#autoEndMs;
      return "ended";
    }
    return "active";
  }

  /** Newest first, like the API. Returns one page and whether more remain. */
  list(query: ListQuery, now: number): { items: StoredExecution[]; more: boolean } {
    const flowList = this.#byFlow.get(query.flowSid) ?? [];
    const items: StoredExecution[] = [];
    for (let i = flowList.length - 1; i >= 0; i--) {
      const execution = flowList[i];
      if (!execution || execution.accountSid !== query.accountSid) continue;
      if (query.beforeSeq !== undefined && execution.seq >= query.beforeSeq) continue;
      const createdSecond = Math.floor(execution.createdAt / 1000) * 1000;
      if (query.createdFrom !== undefined && createdSecond < query.createdFrom) break;
      if (query.createdTo !== undefined && createdSecond >= query.createdTo) continue;
      if (query.status !== undefined && this.statusOf(execution, now) !== query.status) continue;
      if (items.length === query.pageSize) return { items, more: true };
      items.push(execution);
    }
    return { items, more: false };
  }

  /** Every Execution ever created and not deleted, oldest first (for tests and tooling). */
  all(): StoredExecution[] {
    return [...this.#bySid.values()].sort((a, b) => a.seq - b.seq);
  }
}
