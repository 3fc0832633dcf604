import pLimit from "p-limit";
import { OptOutWriter, optOutNumber, type OptOutEntry } from "../../contacts/opt-out-list.js";
import { decideOutcome, executionFacts, OPTED_OUT_ERROR, summarizeOutcomes, type OutcomeSummary } from "../../flow/outcome.js";
import { askedPath, summarizeResults, type ColumnSummary } from "../../flow/results-summary.js";
import { valueAtPath, type ResultsColumn } from "../../flow/results-columns.js";
import type { RecordedOutcome, ResultsRecorded } from "../../ledger/events.js";
import type { LedgerWriter } from "../../ledger/ledger-store.js";
import type { StudioClient } from "../../studio/client.js";
import { StudioApiError } from "../../studio/errors.js";
import { withReadRetries } from "../../studio/read-retry.js";
import type { RetryPolicy } from "../../studio/retry-policy.js";
import type { ExecutionContextResource } from "../../studio/types.js";
import type { Campaign } from "../campaign.js";
import { mergeResults, type CreatedExecution } from "./created-executions.js";
import { refreshStatus, type StatusCounts } from "./refresh-status.js";

export interface CollectOptions {
  campaign: Campaign;
  client: StudioClient;
  ledger: LedgerWriter;
  executions: Map<string, CreatedExecution>;
  columns: ResultsColumn[];
  /** Also read active Executions (recorded as provisional, read again later). */
  includeActive: boolean;
  policy: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  /** The account a Message is fetched under when the Context does not name it. */
  accountSid: string;
  now?: () => Date;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  onNote?: (line: string) => void;
}

export interface ResultsSummary {
  status: StatusCounts;
  /** Requests sent, by kind (each Execution's Context and Steps once, retries aside). */
  contextRequests: number;
  stepsRequests: number;
  /** Message fetches: one per failed message, never for the others. */
  messageRequests: number;
  /** Contexts recorded by this pass. */
  collected: number;
  /** Executions whose results were final already: not read again. */
  alreadyFinal: number;
  /** Gone from Studio (404: past its retention, or deleted). */
  gone: number;
  failed: Array<{ sid: string; message: string }>;
  /** Opt-outs and opt-ins this pass added to the opt-out list. */
  optOutsAdded: number;
  optInsAdded: number;
  outcomes: OutcomeSummary;
  columns: ColumnSummary[];
}

type ReadRecord = Pick<ResultsRecorded, "values" | "final" | "gone" | "outcome">;

/** Every path a pass records: the columns' and, for question columns, whether it was asked. */
function pathsToRecord(columns: readonly ResultsColumn[]): string[] {
  return [...new Set(columns.flatMap((c) => [c.path, askedPath(c.path)].filter((p): p is string => p !== undefined)))];
}

/**
 * Final, holding every path asked for now, and its outcome: never read again (SPEC §11, §12).
 * A record made before outcomes existed, or before a path was added, is read once more.
 */
export function needsContext(execution: CreatedExecution, paths: readonly string[], includeActive: boolean): boolean {
  const results = execution.results;
  if (results?.gone) return false;
  if (execution.status === "ended") return !(results?.final && results.outcome !== undefined && paths.every((p) => p in results.values));
  return execution.status === "active" && includeActive;
}

/** The widget a results path reads the reply of (`widgets.<name>.inbound…`), if any. */
function replyWidget(path: string): string | undefined {
  return /^widgets\.([^.]+)\.inbound(\.|$)/.exec(path)?.[1];
}

/**
 * `results` (SPEC §11, §12): refresh states with one paged List (as `status`), then, for every
 * ended Execution whose results are not final yet — at most `rate.concurrency` requests at a
 * time, 429 honoured (capped Retry-After), transient failures retried — read its Context and its
 * Steps once, and the Message of a failed message once; record the values at the results paths
 * and the contact's outcome. An opt-out or opt-in reaches the opt-out list (fsynced) before its
 * record reaches the ledger, so a pass stopped between the two reads that Execution again.
 */
export async function collectResults(options: CollectOptions): Promise<ResultsSummary> {
  const { campaign, client, ledger, executions, columns } = options;
  const now = options.now ?? (() => new Date());
  const gone: CreatedExecution[] = [];
  const status = await refreshStatus(campaign, client, ledger, executions, now, (e) => gone.push(e));
  const paths = pathsToRecord(columns);
  // Gone from Studio before it was read (deleted, or past its 30 days): its outcome is unknown, recorded once.
  let goneNow = 0;
  for (const execution of gone) {
    if (execution.results?.gone) continue;
    goneNow++;
    const record = { values: {}, final: true, gone: true as const, outcome: { outcome: "unknown" as const, widget: "", errorCode: null } };
    execution.results = mergeResults(execution.results, record);
    void ledger.append({ t: "results", sid: execution.sid, ...record, at: now().toISOString() });
  }
  const targets = [...executions.values()].filter((e) => needsContext(e, paths, options.includeActive));
  const summary: ResultsSummary = {
    status,
    contextRequests: 0,
    stepsRequests: 0,
    messageRequests: 0,
    collected: 0,
    alreadyFinal: 0,
    gone: goneNow,
    failed: [],
    optOutsAdded: 0,
    optInsAdded: 0,
    outcomes: summarizeOutcomes([]),
    columns: [],
  };
  const toRead = new Set(targets); // a Set: includes() per Execution would be quadratic at 100 000
  summary.alreadyFinal = [...executions.values()].filter((e) => e.status === "ended" && !toRead.has(e) && !e.results?.gone).length;
  const limit = pLimit(campaign.rate.concurrency);
  const reader = new ExecutionReader(options, summary, paths);
  let optOuts: Promise<OptOutWriter> | undefined;
  let done = 0;
  options.onProgress?.(0, targets.length);
  try {
    await Promise.all(
      targets.map((execution) =>
        limit(async () => {
          if (options.signal?.aborted) return;
          let read: { record: ReadRecord; entries: OptOutEntry[] };
          try {
            read = await reader.read(execution);
          } catch (err) {
            if (err instanceof StudioApiError && err.isAuthFailure) throw err;
            summary.failed.push({ sid: execution.sid, message: err instanceof Error ? err.message : String(err) });
            return;
          }
          if (read.entries.length > 0) {
            const writer = await (optOuts ??= OptOutWriter.open(campaign.optOutsPath));
            try {
              await Promise.all(read.entries.map((entry) => writer.append(entry)));
            } catch (err) {
              // Not recorded in the ledger either: the next `results` reads this Execution again.
              summary.failed.push({ sid: execution.sid, message: `the opt-out list could not be written: ${String(err)}` });
              return;
            }
            for (const entry of read.entries) summary[entry.event === "opt_out" ? "optOutsAdded" : "optInsAdded"]++;
          }
          execution.results = mergeResults(execution.results, read.record);
          void ledger.append({ t: "results", sid: execution.sid, ...read.record, at: now().toISOString() });
          if (read.record.gone) summary.gone++;
          summary.collected++;
          options.onProgress?.(++done, targets.length);
        }),
      ),
    );
  } finally {
    if (optOuts) await (await optOuts).close();
  }
  await ledger.flush();
  const recorded = [...executions.values()].flatMap((e) => (e.results ? [e.results] : []));
  summary.columns = summarizeResults(
    columns,
    recorded.filter((r) => !r.gone).map((r) => r.values),
  );
  // A gone Execution's outcome is `unknown` (its Steps are gone): counted, so that the shares add up.
  summary.outcomes = summarizeOutcomes(recorded.flatMap((r) => (r.outcome ? [r.outcome] : [])));
  return summary;
}

/** One Execution's reads: Context, Steps (ended only), and the failed Message, each retried as a read. */
class ExecutionReader {
  readonly #options: CollectOptions;
  readonly #summary: ResultsSummary;
  readonly #paths: readonly string[];

  constructor(options: CollectOptions, summary: ResultsSummary, paths: readonly string[]) {
    this.#options = options;
    this.#summary = summary;
    this.#paths = paths;
  }

  async read(execution: CreatedExecution): Promise<{ record: ReadRecord; entries: OptOutEntry[] }> {
    const { campaign, client } = this.#options;
    const final = execution.status === "ended";
    let resource: ExecutionContextResource;
    try {
      resource = await this.#retried("Context", () => {
        this.#summary.contextRequests++;
        return client.fetchExecutionContext(campaign.flowSid, execution.sid);
      });
    } catch (err) {
      // Studio keeps an Execution's data 30 days after it started: gone is final.
      if (err instanceof StudioApiError && err.status === 404) {
        const outcome = final ? { outcome: { outcome: "unknown" as const, widget: "", errorCode: null } } : {};
        return { record: { values: {}, final: true, gone: true, ...outcome }, entries: [] };
      }
      throw err;
    }
    if (!final) return { record: { values: this.#values(resource.context, new Set()), final }, entries: [] };
    const steps = await this.#retried("Steps", () => {
      this.#summary.stepsRequests++;
      return client.fetchExecutionSteps(campaign.flowSid, execution.sid);
    }).catch((err: unknown) => {
      if (err instanceof StudioApiError && err.status === 404) return { steps: [] }; // gone: the outcome is unknown
      throw err;
    });
    const facts = executionFacts(steps.steps, resource.context);
    // A keyword opt-out decides before any failure (the messages after a STOP fail with 21610): no Message to fetch then.
    const decidedByKeyword = facts.optChanges.some((c) => c.change === "opt_out");
    const failedSid = decidedByKeyword ? undefined : facts.failed?.messageSid;
    const errorCode = failedSid === undefined ? undefined : await this.#errorCode(failedSid, resource);
    const decision = decideOutcome(facts, errorCode);
    const outcome: RecordedOutcome = {
      outcome: decision.outcome,
      widget: decision.widget,
      errorCode: decision.errorCode ?? null,
      ...(facts.firstAnswerAt !== undefined ? { answeredAt: facts.firstAnswerAt } : {}),
    };
    return {
      record: { values: this.#values(resource.context, facts.keywordWidgets), final, outcome },
      entries: this.#optOutEntries(execution, facts.optChanges, decision.errorCode),
    };
  }

  /** The values at the results paths; null when absent, and for a reply that was an opt-out or opt-in keyword (never an answer). */
  #values(context: unknown, keywordWidgets: ReadonlySet<string>): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const path of this.#paths) {
      const widget = replyWidget(path);
      values[path] = widget !== undefined && keywordWidgets.has(widget) ? null : (valueAtPath(context, path) ?? null);
    }
    return values;
  }

  /** The failed message's error code, from its Message resource (fetched once); undefined when Twilio has none. */
  async #errorCode(messageSid: string, resource: ExecutionContextResource): Promise<number | undefined> {
    const account = resource.account_sid ?? this.#options.accountSid;
    try {
      const message = await this.#retried("Message", () => {
        this.#summary.messageRequests++;
        return this.#options.client.fetchMessage(account, messageSid);
      });
      return message.error_code ?? undefined;
    } catch (err) {
      if (err instanceof StudioApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  #optOutEntries(execution: CreatedExecution, changes: ReturnType<typeof executionFacts>["optChanges"], errorCode: number | undefined) {
    const base = {
      number: optOutNumber(execution.to),
      at: (this.#options.now?.() ?? new Date()).toISOString(),
      campaign: this.#options.campaign.name,
    };
    const entries: OptOutEntry[] = changes.map((c) => ({ ...base, event: c.change, reason: c.reason }));
    if (errorCode === OPTED_OUT_ERROR) entries.push({ ...base, event: "opt_out", reason: String(OPTED_OUT_ERROR) });
    return entries;
  }

  #retried<T>(what: string, read: () => Promise<T>): Promise<T> {
    return withReadRetries(read, {
      policy: this.#options.policy,
      sleep: this.#options.sleep,
      onRetry: (err, ms) => this.#options.onNote?.(`retrying a ${what} read in ${Math.round(ms)} ms: ${String(err)}`),
    });
  }
}
