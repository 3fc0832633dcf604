import pLimit from "p-limit";
import { MESSAGING_SERVICE_SID } from "../../contacts/sender-format.js";
import type { RepliesRule } from "../../campaign/campaign.js";
import { lateReply, type ContactReply } from "../../flow/contact-reply.js";
import { resultCell } from "../../flow/results-columns.js";
import { executionRow } from "../../ledger/events.js";
import type { CreatedExecution } from "../../ledger/fold.js";
import { StudioApiError } from "../../studio/errors.js";
import { StudioOutageError } from "../../studio/read-retry.js";
import type { ExecutionsSession } from "./executions-session.js";

type RepliesSession = Pick<ExecutionsSession, "campaign" | "client" | "writer" | "reads" | "executions" | "clock" | "stop">;

/** What a pass tells of its late lookups. */
interface LateCounts {
  messageListRequests: number;
  lateLookups: number;
  lateFound: number;
  failed: Array<{ sid: string; message: string }>;
}

/**
 * The contact's reply into the Execution and the ledger (a `reply` line naming the reminder's
 * appointment), unless the ledger has it already; `null`: a late one was looked for and none found.
 */
export function recordReply(
  session: Pick<RepliesSession, "writer" | "clock">,
  execution: CreatedExecution,
  reply: ContactReply | null,
): void {
  const known = execution.reply;
  if (reply && known && known.text === reply.text && known.repliedAt === reply.repliedAt) return;
  execution.reply = reply ?? known ?? null;
  const appointment = execution.reminder ? { key: execution.reminder.key, appointmentAt: execution.reminder.appointmentAt } : {};
  void session.writer.append({
    t: "reply",
    ...executionRow(execution),
    sid: execution.sid,
    ...appointment,
    reply,
    at: new Date(session.clock.now()).toISOString(),
  });
}

/** The latest reply of each Execution that has one. */
export function* repliesOf(executions: Iterable<CreatedExecution>): Generator<ContactReply> {
  for (const execution of executions) if (execution.reply) yield execution.reply;
}

/**
 * Late replies (docs/reference.md §19): each ended Execution with no reply in its Context, once it
 * is past `lateWithin` — and never again — is looked for in the Messages resource (`To` the
 * campaign's sender, `From` the contact, sent from the day it was created), through the session's
 * read retry, at most `rate.concurrency` at a time; the first inbound message within the window
 * and before the campaign's next Execution to that number is its late reply. Found or not, a
 * `reply` line records the lookup. A stop (Ctrl-C, an outage) leaves the rest to the next pass.
 */
export async function lookForLateReplies(
  session: RepliesSession,
  rule: Pick<RepliesRule, "from" | "lateWithinMs"> & { accountSid: string },
  counts: LateCounts,
): Promise<void> {
  const now = session.clock.now();
  const all = [...session.executions.values()];
  const due = all.filter((e) => needsLateLookup(e, rule, now));
  if (due.length === 0) return;
  const next = nextExecutionAfter(all);
  const limit = pLimit(session.campaign.rate.concurrency);
  await Promise.all(
    due.map((execution) =>
      limit(async () => {
        if (session.stop.stopped) return;
        try {
          const reply = await findLateReply(session, execution, { ...rule, before: next(execution) }, counts);
          counts.lateLookups++;
          if (reply) counts.lateFound++;
          recordReply(session, execution, reply ?? null);
        } catch (err) {
          if (err instanceof StudioApiError && err.isAuthFailure) throw err;
          if (err instanceof StudioOutageError) session.stop.request("outage", err.message);
          counts.failed.push({ sid: execution.sid, message: `its late reply: ${err instanceof Error ? err.message : String(err)}` });
        }
      }),
    ),
  );
}

/** Ended, read, no reply at the `from` path nor looked for before, and past `lateWithin`. */
export function needsLateLookup(execution: CreatedExecution, rule: Pick<RepliesRule, "from" | "lateWithinMs">, now: number): boolean {
  const results = execution.results;
  if (execution.status !== "ended" || !results?.final || results.gone || execution.reply !== undefined) return false;
  return resultCell(results.values[rule.from]) === "" && now >= execution.at + rule.lateWithinMs;
}

/** For each Execution, when the campaign's next one to the same number was created (Infinity: none). */
function nextExecutionAfter(executions: readonly CreatedExecution[]): (execution: CreatedExecution) => number {
  const byNumber = new Map<string, number[]>();
  for (const e of executions) {
    let times = byNumber.get(e.to);
    if (!times) byNumber.set(e.to, (times = []));
    times.push(e.at);
  }
  for (const times of byNumber.values()) times.sort((a, b) => a - b);
  return (execution) => byNumber.get(execution.to)!.find((at) => at > execution.at) ?? Infinity;
}

async function findLateReply(
  session: RepliesSession,
  execution: CreatedExecution,
  window: { lateWithinMs: number; before: number; accountSid: string },
  counts: LateCounts,
): Promise<ContactReply | undefined> {
  // A Messaging Service sender has no one number to filter To by: its replies are told by the service they reached.
  const messagingService = MESSAGING_SERVICE_SID.test(session.campaign.from) ? session.campaign.from : undefined;
  const filter = { to: messagingService ? undefined : session.campaign.from, from: execution.to, sentOnOrAfter: new Date(execution.at) };
  const until = execution.at + window.lateWithinMs;
  const read = <T>(request: () => Promise<T>) =>
    session.reads.read("Messages", () => {
      counts.messageListRequests++;
      return request();
    });
  let found: ContactReply | undefined;
  for await (const page of session.client.listMessagePages(window.accountSid, filter, read)) {
    const reply = lateReply(page.messages, { after: execution.at, until, before: window.before, messagingService });
    if (reply && (found === undefined || reply.repliedAt < found.repliedAt)) found = reply;
    // Newest first: a page that reaches back before the Execution was created is the last one needed.
    const oldest = Date.parse(page.messages.at(-1)?.date_sent ?? "");
    if (!(oldest >= execution.at)) break;
  }
  return found;
}
