import pLimit from "p-limit";
import { askedPath, summarizeResults, type ColumnSummary } from "../flow/results-summary.js";
import { valueAtPath, type ResultsColumn } from "../flow/results-columns.js";
import type { LedgerWriter } from "../ledger/write-ledger.js";
import type { StudioClient } from "../studio/client.js";
import { StudioApiError } from "../studio/errors.js";
import { withReadRetries } from "../studio/read-retry.js";
import type { RetryPolicy } from "../studio/retry-policy.js";
import type { Campaign } from "./campaign.js";
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
  now?: () => Date;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  onNote?: (line: string) => void;
}

export interface ResultsSummary {
  status: StatusCounts;
  /** Context requests sent (each Execution once, retries aside). */
  contextRequests: number;
  /** Contexts recorded by this pass. */
  collected: number;
  /** Executions whose results were final already: not read again. */
  alreadyFinal: number;
  /** Gone from Studio (404: past its retention, or deleted). */
  gone: number;
  failed: Array<{ sid: string; message: string }>;
  columns: ColumnSummary[];
}

/** Every path a pass records: the columns' and, for question columns, whether it was asked. */
function pathsToRecord(columns: readonly ResultsColumn[]): string[] {
  return [...new Set(columns.flatMap((c) => [c.path, askedPath(c.path)].filter((p): p is string => p !== undefined)))];
}

/** Final and holding every path asked for now: never read again (SPEC §11). */
export function needsContext(execution: CreatedExecution, paths: readonly string[], includeActive: boolean): boolean {
  const results = execution.results;
  if (results?.gone) return false;
  // A path asked for after the record was made (the campaign's `results` changed) is read once more.
  if (execution.status === "ended") return !(results?.final && paths.every((p) => p in results.values));
  return execution.status === "active" && includeActive;
}

/**
 * `results` (SPEC §11): refresh states with one paged List (as `status`), then read the Context
 * of every ended Execution whose results are not final yet — at most `rate.concurrency` at a
 * time, 429 honoured (capped Retry-After), transient failures retried — and record the values
 * at the results paths. Each record is appended as it arrives, so an interrupted pass loses
 * nothing and the next one goes on where it stopped.
 */
export async function collectResults(options: CollectOptions): Promise<ResultsSummary> {
  const { campaign, client, ledger, executions, columns } = options;
  const now = options.now ?? (() => new Date());
  const status = await refreshStatus(campaign, client, ledger, executions, now);
  const paths = pathsToRecord(columns);
  const targets = [...executions.values()].filter((e) => needsContext(e, paths, options.includeActive));
  const summary: ResultsSummary = { status, contextRequests: 0, collected: 0, alreadyFinal: 0, gone: 0, failed: [], columns: [] };
  const toRead = new Set(targets); // a Set: includes() per Execution would be quadratic at 100 000
  summary.alreadyFinal = [...executions.values()].filter((e) => e.status === "ended" && !toRead.has(e) && !e.results?.gone).length;
  const limit = pLimit(campaign.rate.concurrency);
  let done = 0;
  options.onProgress?.(0, targets.length);
  await Promise.all(
    targets.map((execution) =>
      limit(async () => {
        if (options.signal?.aborted) return;
        const final = execution.status === "ended";
        let record: { values: Record<string, unknown>; final: boolean; gone?: true };
        try {
          const resource = await withReadRetries(
            () => {
              summary.contextRequests++;
              return client.fetchExecutionContext(campaign.flowSid, execution.sid);
            },
            {
              policy: options.policy,
              sleep: options.sleep,
              onRetry: (err, ms) => options.onNote?.(`retrying a Context read in ${Math.round(ms)} ms: ${String(err)}`),
            },
          );
          const values: Record<string, unknown> = {};
          // null: looked for and absent (no reply, or the flow never got there).
          for (const path of paths) values[path] = valueAtPath(resource.context, path) ?? null;
          record = { values, final };
        } catch (err) {
          if (err instanceof StudioApiError && err.isAuthFailure) throw err;
          if (err instanceof StudioApiError && err.status === 404) {
            // Studio keeps an Execution's data 30 days after it started: gone is final.
            record = { values: {}, final: true, gone: true };
            summary.gone++;
          } else {
            summary.failed.push({ sid: execution.sid, message: err instanceof Error ? err.message : String(err) });
            return;
          }
        }
        execution.results = mergeResults(execution.results, record);
        void ledger.append({ t: "results", sid: execution.sid, ...record, at: now().toISOString() });
        summary.collected++;
        options.onProgress?.(++done, targets.length);
      }),
    ),
  );
  await ledger.flush();
  const recorded = [...executions.values()].flatMap((e) => (e.results && !e.results.gone ? [e.results.values] : []));
  summary.columns = summarizeResults(columns, recorded);
  return summary;
}
