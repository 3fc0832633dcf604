import { StudioCampaignError } from "../../errors.js";
import { judgeFlow, type FlowSnapshot, type PreflightVerdict, type RevisionSnapshot } from "../../flow/preflight-verdict.js";
import type { StudioClient } from "../../studio/client.js";
import { StudioApiError } from "../../studio/errors.js";
import type { FlowResource } from "../../studio/types.js";
import type { Reads } from "../../studio/read-retry.js";

/**
 * docs/reference.md §10, before the first create: read the flow and judge the revision Executions will run.
 * That is the latest **published** revision: `GET /v2/Flows/{Sid}` returns the latest revision,
 * which may be a draft that only the flow's test users run (Studio docs, "Flow Revisions" and
 * "Test Users": https://www.twilio.com/docs/studio/rest-api/v2/flow-revision,
 * https://www.twilio.com/docs/studio/rest-api/v2/test-user), so both are read: two GETs.
 * A 404 on the flow means it is not on this account; a 404 on `LatestPublished`, that it was
 * never published. 401/403 and transport errors propagate (exit 77 / 75).
 */
export async function readFlow(client: StudioClient, flowSid: string, reads: Reads): Promise<FlowSnapshot> {
  // GETs are idempotent: a 5xx, a reset or a 429 is read again (capped backoff), not an exit.
  // Both at once: neither depends on the other, and the first create waits for them (one round
  // trip to Twilio instead of two).
  const [latestRead, publishedRead] = await Promise.allSettled([
    reads.read("Flow", () => client.fetchFlow(flowSid)),
    reads.read("Flow revision", () => client.fetchFlowRevision(flowSid, "LatestPublished")),
  ]);
  if (latestRead.status === "rejected") {
    const err: unknown = latestRead.reason;
    if (err instanceof StudioApiError && err.status === 404) {
      throw new StudioCampaignError(
        "FLOW_REFUSED",
        `flow ${flowSid} does not exist on this account (404): check "flowSid" and that the credentials belong to the flow's ` +
          `account; nothing was sent`,
        { cause: err },
      );
    }
    throw err;
  }
  const latest = latestRead.value;
  let published: FlowResource | undefined;
  if (publishedRead.status === "fulfilled") published = publishedRead.value;
  else if (!(publishedRead.reason instanceof StudioApiError && publishedRead.reason.status === 404)) throw publishedRead.reason;
  return {
    flowSid,
    friendlyName: latest.friendly_name ?? undefined,
    latest: snapshot(latest),
    published: published ? snapshot(published) : undefined,
  };
}

function snapshot(resource: FlowResource): RevisionSnapshot {
  return {
    revision: resource.revision,
    status: resource.status,
    definition: resource.definition,
    valid: resource.valid ?? undefined,
    errors: resource.errors ?? [],
    warnings: resource.warnings ?? [],
  };
}

/** Read, judge, and refuse (FLOW_REFUSED, exit 2) when anything would harm the contacts. */
export interface PreflightOptions {
  client: StudioClient;
  reads: Reads;
  flowSid: string;
  /** Every Parameters key the campaign sends. */
  sentKeys: readonly string[];
  /** Keys sent whether or not the flow reads them: a standing campaign's `reminder` (docs/reference.md §16). */
  quiet?: readonly string[];
  /** The contacts file's header (a key never sent may be a column under a looser name: the refusal names it). */
  columns?: readonly string[];
  /** `replies.from` (docs/reference.md §19): it must read a Send & Wait For Reply widget's reply. */
  replyFrom?: string | undefined;
  /** The verdict's lines, for the operator. */
  report: (line: string) => void;
}

/** The verdict, and the flow as read (its published definition, for what else the caller renders from it). */
export async function preflightFlow(options: PreflightOptions): Promise<{ verdict: PreflightVerdict; flow: FlowSnapshot }> {
  const { client, reads, flowSid, sentKeys, report, quiet = [], columns = [] } = options;
  const flow = await readFlow(client, flowSid, reads);
  const verdict = judgeFlow(flow, sentKeys, { quiet, columns, replyFrom: options.replyFrom });
  const name = flow.friendlyName ? ` "${flow.friendlyName}"` : "";
  if (verdict.facts)
    report(
      `preflight: flow ${flowSid}${name}, published revision ${verdict.facts.revision}; ${verdict.facts.questions.length} ` +
        `question(s): ${verdict.facts.questions.join(", ") || "none"}`,
    );
  for (const warning of verdict.warnings) report(`preflight: warning: ${warning}`);
  for (const refusal of verdict.refusals) report(`preflight: refused: ${refusal}`);
  if (verdict.refusals.length > 0) {
    const problems = verdict.refusals.length === 1 ? "the problem above" : `the ${verdict.refusals.length} problems above`;
    throw new StudioCampaignError(
      "FLOW_REFUSED",
      `the flow preflight refused the campaign for ${problems}; nothing was sent (--no-preflight skips this check)`,
    );
  }
  if (verdict.refusals.length === 0 && verdict.facts) report(`preflight: ok`);
  return { verdict, flow };
}
