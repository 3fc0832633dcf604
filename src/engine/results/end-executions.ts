import { executionRow } from "../../ledger/events.js";
import pLimit from "p-limit";
import { StudioApiError } from "../../studio/errors.js";
import { StudioOutageError } from "../../studio/read-retry.js";
import type { ExecutionsSession } from "./executions-session.js";

export interface EndResult {
  ended: number;
  alreadyEnded: number;
  failed: Array<{ sid: string; message: string }>;
  /** Not asked to end: the command was stopped first (Ctrl-C). */
  notAsked: number;
}

/** The Executions `end` would end: every one not known to have ended. */
export function openExecutions(session: Pick<ExecutionsSession, "executions">): number {
  return [...session.executions.values()].filter((e) => e.status !== "ended").length;
}

/**
 * `end`: end every Execution this campaign created that is not known to have ended, at most
 * `concurrency` at once. Idempotent: a 409 (already ended) or 404 (gone) counts as ended, and
 * every end is recorded so that a second `end` sends nothing. Ending is safe to repeat, so it is
 * retried as a read (`Reads`): a 429 after its Retry-After (capped), 5xx and no answer with a
 * jittered backoff, until Studio has failed everything for the outage bound. Credentials rejected
 * stop it (exit 77).
 */
export async function endExecutions(
  session: Pick<ExecutionsSession, "campaign" | "client" | "writer" | "reads" | "executions" | "clock" | "stop">,
): Promise<EndResult> {
  const { campaign, client, writer, reads, stop } = session;
  const result: EndResult = { ended: 0, alreadyEnded: 0, failed: [], notAsked: 0 };
  const limit = pLimit(campaign.rate.concurrency);
  const targets = [...session.executions.values()].filter((e) => e.status !== "ended");
  await Promise.all(
    targets.map((execution) =>
      limit(async () => {
        if (stop.stopped) return void result.notAsked++;
        try {
          await reads.read("end", () => client.endExecution(campaign.flowSid, execution.sid));
          result.ended++;
        } catch (err) {
          if (err instanceof StudioApiError && (err.status === 409 || err.status === 404)) result.alreadyEnded++;
          else if (err instanceof StudioApiError && err.isAuthFailure) throw err;
          else {
            if (err instanceof StudioOutageError) stop.request("outage", err.message); // the rest is not asked now
            return void result.failed.push({ sid: execution.sid, message: err instanceof Error ? err.message : String(err) });
          }
        }
        execution.status = "ended";
        void writer.append({
          t: "exec",
          ...executionRow(execution),
          sid: execution.sid,
          status: "ended",
          at: new Date(session.clock.now()).toISOString(),
        });
      }),
    ),
  );
  await writer.flush();
  return result;
}
