import pLimit from "p-limit";
import type { LedgerWriter } from "../../ledger/ledger-store.js";
import type { StudioClient } from "../../studio/client.js";
import { StudioApiError } from "../../studio/errors.js";
import type { Campaign } from "../campaign.js";
import type { CreatedExecution } from "./created-executions.js";
import { CLOCK_SKEW_MS } from "../run/settle-doubts.js";

export interface StatusCounts {
  active: number;
  ended: number;
  /** Gone from Studio (deleted, or past its retention). */
  unknown: number;
  /** Requests made: List pages plus Fetches. */
  requests: number;
}

const LIST_PAGE_SIZE = 1000;
/** A campaign's creates span at most this long for List to be cheaper than Fetches. */
const SPAN_MARGIN_MS = 60_000;

/**
 * `status`: the active/ended state of every Execution the campaign created. One paged List of
 * the flow over the campaign's time span covers them all (at 1 000 per page); a Fetch (at most
 * `concurrency` at once) for any the List did not show. Each state is appended to the ledger.
 */
export async function refreshStatus(
  campaign: Campaign,
  client: StudioClient,
  ledger: LedgerWriter,
  executions: Map<string, CreatedExecution>,
  now: () => Date = () => new Date(),
  /** Each Execution Studio no longer has (404: deleted, or past its 30 days). */
  onGone?: (execution: CreatedExecution) => void,
): Promise<StatusCounts> {
  const counts: StatusCounts = { active: 0, ended: 0, unknown: 0, requests: 0 };
  // An ended Execution never becomes active again: only the others are asked about (a pass after
  // every survey ended costs no request).
  const open = [...executions.values()].filter((e) => e.status !== "ended");
  counts.ended = executions.size - open.length;
  if (open.length === 0) return counts;
  // A loop, not Math.min(...times): spreading 100 000+ arguments overflows the stack.
  let first = Infinity;
  let last = -Infinity;
  for (const { at } of open) {
    first = Math.min(first, at);
    last = Math.max(last, at);
  }
  const from = new Date(first - SPAN_MARGIN_MS - CLOCK_SKEW_MS);
  const to = new Date(last + SPAN_MARGIN_MS);
  const seen = new Map<string, "active" | "ended">();
  for await (const page of client.listExecutionPages(campaign.flowSid, {
    dateCreatedFrom: from,
    dateCreatedTo: to,
    pageSize: LIST_PAGE_SIZE,
  })) {
    counts.requests++;
    for (const execution of page.executions) if (executions.has(execution.sid)) seen.set(execution.sid, execution.status);
  }
  const limit = pLimit(campaign.rate.concurrency);
  await Promise.all(
    open
      .map((e) => e.sid)
      .filter((sid) => !seen.has(sid))
      .map((sid) =>
        limit(async () => {
          counts.requests++;
          try {
            seen.set(sid, (await client.fetchExecution(campaign.flowSid, sid)).status);
          } catch (err) {
            if (!(err instanceof StudioApiError && err.status === 404)) throw err;
          }
        }),
      ),
  );
  const at = now().toISOString();
  for (const execution of open) {
    const { sid } = execution;
    const status = seen.get(sid);
    if (status === undefined) {
      counts.unknown++;
      onGone?.(execution);
      continue;
    }
    counts[status]++;
    if (execution.status !== status) void ledger.append({ t: "exec", sid, status, at });
    execution.status = status;
  }
  await ledger.flush();
  return counts;
}
