import { executionRow } from "../../ledger/events.js";
import pLimit from "p-limit";
import { optOutNumber, type OptOutEntry, type OptOutStore } from "../../opt-outs/opt-out-store.js";
import { campaignOptOutStore } from "../../campaign/campaign-opt-outs.js";
import type { Campaign } from "../../campaign/campaign.js";
import { decideOutcome, executionFacts, OPTED_OUT_ERROR, summarizeOutcomes, type OutcomeSummary } from "../../flow/outcome.js";
import { askedPath, summarizeResults, type ColumnSummary } from "../../flow/results-summary.js";
import { valueAtPath, type ResultsColumn } from "../../flow/results-columns.js";
import { contextReply, replyWidget, type ContactReply } from "../../flow/contact-reply.js";
import { summarizeReplies, type ReplySummary } from "../../flow/reply-summary.js";
import { lookForLateReplies, recordReply, repliesOf } from "./late-replies.js";
import type { RecordedOutcome, ResultsRecorded } from "../../ledger/events.js";
import { StudioApiError } from "../../studio/errors.js";
import { StudioOutageError } from "../../studio/read-retry.js";
import type { ExecutionContextResource } from "../../studio/types.js";
import { mergeResults, type CreatedExecution } from "../../ledger/fold.js";
import type { ExecutionsSession } from "./executions-session.js";
import { refreshStatus, type ExecutionStatusCounts } from "./refresh-status.js";

/** What `results` is asked for, beyond its session. */
export interface CollectOptions {
  columns: ResultsColumn[];
  /** Also read active Executions (recorded as provisional, read again later). */
  includeActive: boolean;
  /** The account a Message is fetched under when the Context does not name it. */
  accountSid: string;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

type ResultsSession = Pick<ExecutionsSession, "campaign" | "client" | "writer" | "reads" | "executions" | "clock" | "stop">;

export interface ResultsSummary {
  status: ExecutionStatusCounts;
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
  /** Messages list requests: late replies looked for (docs/reference.md §19), each Execution once. */
  messageListRequests: number;
  /** Late replies looked for by this pass, and found. */
  lateLookups: number;
  lateFound: number;
  /** A campaign with `replies`: its replies by intent, the latest of each Execution. */
  replies?: ReplySummary;
}

type ReadRecord = Pick<ResultsRecorded, "values" | "final" | "gone" | "outcome">;

/** An Execution read: its record, the opt-out list's entries, and the contact's reply (an ended one's, with `replies`). */
interface ExecutionRead {
  record: ReadRecord;
  entries: OptOutEntry[];
  reply?: ContactReply | undefined;
}

/** Every path a pass records: the columns' and, for question columns, whether it was asked; and the reply's (docs/reference.md §19). */
function pathsToRecord(columns: readonly ResultsColumn[], replyPath: string | undefined): string[] {
  const paths = columns.flatMap((c) => [c.path, askedPath(c.path)].filter((p): p is string => p !== undefined));
  return [...new Set(replyPath === undefined ? paths : [...paths, replyPath])];
}

/**
 * Final, holding every path asked for now, and its outcome: never read again (docs/reference.md §11, §12).
 * A record made before outcomes existed, or before a path was added, is read once more.
 */
export function needsContext(execution: CreatedExecution, paths: readonly string[], includeActive: boolean): boolean {
  const results = execution.results;
  if (results?.gone) return false;
  if (execution.status === "ended") return !(results?.final && results.outcome !== undefined && paths.every((p) => p in results.values));
  return execution.status === "active" && includeActive;
}

/**
 * `results` (docs/reference.md §11, §12): refresh states with one paged List (as `status`), then, for every
 * ended Execution whose results are not final yet — at most `rate.concurrency` requests at a
 * time, each a read retried by the session's `Reads` — read its Context and its Steps once, and
 * the Message of a failed message once; record the values at the results paths and the contact's
 * outcome. An opt-out or opt-in reaches the opt-out list (fsynced) before its record reaches the
 * ledger, so a pass stopped between the two reads that Execution again. A stop (Ctrl-C, an
 * outage) ends the pass: what was not read is read by the next one.
 */
export async function collectResults(session: ResultsSession, options: CollectOptions): Promise<ResultsSummary> {
  const { campaign, executions, writer } = session;
  const gone: CreatedExecution[] = [];
  const status = await refreshStatus(session, (e) => gone.push(e));
  const paths = pathsToRecord(options.columns, campaign.replies?.from);
  const summary = emptySummary(status, recordGone(session, gone));
  const targets = session.stop.stopped ? [] : [...executions.values()].filter((e) => needsContext(e, paths, options.includeActive));
  const toRead = new Set(targets); // a Set: includes() per Execution would be quadratic at 100 000
  summary.alreadyFinal = [...executions.values()].filter((e) => e.status === "ended" && !toRead.has(e) && !e.results?.gone).length;
  const reader = new ExecutionReader(session, options, summary, paths);
  const optOuts = new OptOutAppender(campaign);
  try {
    await readAll(session, targets, reader, optOuts, options.onProgress);
  } finally {
    await optOuts.close();
  }
  if (campaign.replies && !session.stop.stopped)
    await lookForLateReplies(session, { ...campaign.replies, accountSid: options.accountSid }, summary);
  await writer.flush();
  if (campaign.replies) summary.replies = summarizeReplies(repliesOf(executions.values()), campaign.replies.intents);
  const recorded = [...executions.values()].flatMap((e) => (e.results ? [e.results] : []));
  summary.columns = summarizeResults(
    options.columns,
    recorded.filter((r) => !r.gone).map((r) => r.values),
  );
  // A gone Execution's outcome is `unknown` (its Steps are gone): counted, so that the shares add up.
  summary.outcomes = summarizeOutcomes(recorded.flatMap((r) => (r.outcome ? [r.outcome] : [])));
  return summary;
}

function emptySummary(status: ExecutionStatusCounts, gone: number): ResultsSummary {
  return {
    status,
    contextRequests: 0,
    stepsRequests: 0,
    messageRequests: 0,
    collected: 0,
    alreadyFinal: 0,
    gone,
    failed: [],
    optOutsAdded: 0,
    optInsAdded: 0,
    outcomes: summarizeOutcomes([]),
    columns: [],
    messageListRequests: 0,
    lateLookups: 0,
    lateFound: 0,
  };
}

/** Gone from Studio before it was read (deleted, or past its 30 days): its outcome is unknown, recorded once. */
function recordGone(session: ResultsSession, gone: CreatedExecution[]): number {
  let goneNow = 0;
  for (const execution of gone) {
    if (execution.results?.gone) continue;
    goneNow++;
    const record = { values: {}, final: true, gone: true as const, outcome: { outcome: "unknown" as const, widget: "", errorCode: null } };
    execution.results = mergeResults(execution.results, record);
    void session.writer.append({
      t: "results",
      ...executionRow(execution),
      sid: execution.sid,
      ...record,
      at: new Date(session.clock.now()).toISOString(),
    });
  }
  return goneNow;
}

/** Read each target (bounded by `rate.concurrency`), its opt-outs to the list first, then its record to the ledger. */
async function readAll(
  session: ResultsSession,
  targets: CreatedExecution[],
  reader: ExecutionReader,
  optOuts: OptOutAppender,
  onProgress: CollectOptions["onProgress"],
): Promise<void> {
  const { summary } = reader;
  const limit = pLimit(session.campaign.rate.concurrency);
  let done = 0;
  onProgress?.(0, targets.length);
  await Promise.all(
    targets.map((execution) =>
      limit(async () => {
        if (session.stop.stopped) return;
        let read: ExecutionRead;
        try {
          read = await reader.read(execution);
        } catch (err) {
          if (err instanceof StudioApiError && err.isAuthFailure) throw err;
          if (err instanceof StudioOutageError) session.stop.request("outage", err.message); // the rest waits for the next pass
          return void summary.failed.push({ sid: execution.sid, message: err instanceof Error ? err.message : String(err) });
        }
        if (read.entries.length > 0 && !(await optOuts.append(read.entries, execution.sid, summary))) return;
        execution.results = mergeResults(execution.results, read.record);
        void session.writer.append({
          t: "results",
          ...executionRow(execution),
          sid: execution.sid,
          ...read.record,
          at: new Date(session.clock.now()).toISOString(),
        });
        if (read.reply) recordReply(session, execution, read.reply);
        if (read.record.gone) summary.gone++;
        summary.collected++;
        onProgress?.(++done, targets.length);
      }),
    ),
  );
}

/** The opt-out list, opened on the first entry to write (most passes write none). */
/** The campaign's opt-out list, opened when the first entry comes (most passes find none). */
class OptOutAppender {
  readonly #campaign: Campaign;
  #store: Promise<OptOutStore> | undefined;

  constructor(campaign: Campaign) {
    this.#campaign = campaign;
  }

  /** Append an Execution's entries (durable); false when the list could not be written (it is read again next pass). */
  async append(entries: OptOutEntry[], sid: string, summary: ResultsSummary): Promise<boolean> {
    try {
      const store = await (this.#store ??= campaignOptOutStore(this.#campaign));
      await store.append(entries);
    } catch (err) {
      // Not recorded in the ledger either: the next `results` reads this Execution again.
      summary.failed.push({ sid, message: `the opt-out list could not be written: ${err instanceof Error ? err.message : String(err)}` });
      return false;
    }
    for (const entry of entries) summary[entry.event === "opt_out" ? "optOutsAdded" : "optInsAdded"]++;
    return true;
  }

  async close(): Promise<void> {
    if (this.#store) await (await this.#store).close();
  }
}

/** One Execution's reads: Context, Steps (ended only), and the failed Message, each retried as a read. */
class ExecutionReader {
  readonly #session: ResultsSession;
  readonly #options: CollectOptions;
  readonly summary: ResultsSummary;
  readonly #paths: readonly string[];

  constructor(session: ResultsSession, options: CollectOptions, summary: ResultsSummary, paths: readonly string[]) {
    this.#session = session;
    this.#options = options;
    this.summary = summary;
    this.#paths = paths;
  }

  async read(execution: CreatedExecution): Promise<ExecutionRead> {
    const { campaign, client } = this.#session;
    const final = execution.status === "ended";
    let resource: ExecutionContextResource;
    try {
      resource = await this.#retried("Context", () => {
        this.summary.contextRequests++;
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
      this.summary.stepsRequests++;
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
    const replies = campaign.replies;
    return {
      record: { values: this.#values(resource.context, facts.keywordWidgets), final, outcome },
      entries: this.#optOutEntries(execution, facts.optChanges, decision.errorCode),
      reply:
        replies && contextReply(resource.context, facts.steps, { from: replies.from, fallbackAt: new Date(execution.at).toISOString() }),
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
        this.summary.messageRequests++;
        return this.#session.client.fetchMessage(account, messageSid);
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
      at: new Date(this.#session.clock.now()).toISOString(),
      campaign: this.#session.campaign.name,
    };
    const entries: OptOutEntry[] = changes.map((c) => ({ ...base, event: c.change, reason: c.reason }));
    if (errorCode === OPTED_OUT_ERROR) entries.push({ ...base, event: "opt_out", reason: String(OPTED_OUT_ERROR) });
    return entries;
  }

  #retried<T>(what: string, read: () => Promise<T>): Promise<T> {
    return this.#session.reads.read(what, read);
  }
}
