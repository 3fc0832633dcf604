import { LIST_PAGE_SIZE } from "../../studio/types.js";
import { executionRow } from "../../ledger/events.js";
import pLimit from "p-limit";
import { StudioApiError } from "../../studio/errors.js";
import type { ExecutionPage } from "../../studio/types.js";
import { CLOCK_SKEW_MS } from "../../studio/created-since.js";
import type { CreatedExecution } from "../../ledger/fold.js";
import type { ExecutionsSession } from "./executions-session.js";

export interface ExecutionStatusCounts {
  active: number;
  ended: number;
  /** Gone from Studio (deleted, or past its retention). */
  unknown: number;
  /** Requests made: List pages plus Fetches (retries aside). */
  requests: number;
}

/** A campaign's creates span at most this long for List to be cheaper than Fetches. */
const SPAN_MARGIN_MS = 60_000;

type StatusSession = Pick<ExecutionsSession, "campaign" | "client" | "writer" | "reads" | "executions" | "clock" | "stop">;

/**
 * `status`: the active/ended state of every Execution the campaign created. One paged List of
 * the flow over the campaign's time span covers them all (at 1 000 per page); a Fetch (at most
 * `concurrency` at once) for any the List did not show. Every request is a read: retried
 * (`Reads`), and a stop ends the pass. Each state that changed is appended to the ledger.
 */
export async function refreshStatus(
  session: StatusSession,
  /** Each Execution Studio no longer has (404: deleted, or past its 30 days). */
  onGone?: (execution: CreatedExecution) => void,
): Promise<ExecutionStatusCounts> {
  const { executions, writer } = session;
  const counts: ExecutionStatusCounts = { active: 0, ended: 0, unknown: 0, requests: 0 };
  // An ended Execution never becomes active again: only the others are asked about (a pass after
  // every survey ended costs no request).
  const open = [...executions.values()].filter((e) => e.status !== "ended");
  counts.ended = executions.size - open.length;
  if (open.length === 0) return counts;
  const seen = await listStates(session, open, counts);
  if (session.stop.stopped) return counts;
  await fetchUnlisted(session, open, seen, counts);
  const at = new Date(session.clock.now()).toISOString();
  for (const execution of open) {
    const status = seen.get(execution.sid);
    if (status === undefined) {
      if (session.stop.stopped) continue; // not asked: neither gone nor known
      counts.unknown++;
      onGone?.(execution);
      continue;
    }
    counts[status]++;
    if (execution.status !== status) void writer.append({ t: "exec", ...executionRow(execution), sid: execution.sid, status, at });
    execution.status = status;
  }
  await writer.flush();
  return counts;
}

/** The states List shows for the open Executions, over the span of their creation. */
async function listStates(
  session: StatusSession,
  open: CreatedExecution[],
  counts: ExecutionStatusCounts,
): Promise<Map<string, "active" | "ended">> {
  // A loop, not Math.min(...times): spreading 100 000+ arguments overflows the stack.
  let first = Infinity;
  let last = -Infinity;
  for (const { at } of open) {
    first = Math.min(first, at);
    last = Math.max(last, at);
  }
  const query = {
    dateCreatedFrom: new Date(first - SPAN_MARGIN_MS - CLOCK_SKEW_MS),
    dateCreatedTo: new Date(last + SPAN_MARGIN_MS),
    pageSize: LIST_PAGE_SIZE,
  };
  const seen = new Map<string, "active" | "ended">();
  const read = (request: () => Promise<ExecutionPage>) => session.reads.read("List", request);
  for await (const page of session.client.listExecutionPages(session.campaign.flowSid, query, read)) {
    counts.requests++;
    for (const execution of page.executions) if (session.executions.has(execution.sid)) seen.set(execution.sid, execution.status);
    if (session.stop.stopped) break;
  }
  return seen;
}

/** A Fetch for each open Execution the List did not show; a 404 leaves it unseen (gone). */
async function fetchUnlisted(
  session: StatusSession,
  open: CreatedExecution[],
  seen: Map<string, "active" | "ended">,
  counts: ExecutionStatusCounts,
): Promise<void> {
  const { campaign, client, reads, stop } = session;
  const limit = pLimit(campaign.rate.concurrency);
  const unlisted = open.map((e) => e.sid).filter((sid) => !seen.has(sid));
  await Promise.all(
    unlisted.map((sid) =>
      limit(async () => {
        if (stop.stopped) return;
        counts.requests++;
        try {
          seen.set(sid, (await reads.read("Fetch", () => client.fetchExecution(campaign.flowSid, sid))).status);
        } catch (err) {
          if (!(err instanceof StudioApiError && err.status === 404) && !stop.stopped) throw err;
        }
      }),
    ),
  );
}
