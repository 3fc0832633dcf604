import { existsSync } from "node:fs";
import { loadCampaignState } from "./campaign-state.js";
import type { Campaign } from "../campaign.js";
import { planRows } from "./plan-rows.js";
import type { RowStatus, RunEvent, StatusCounts } from "../run/run-events.js";
import { RunTally } from "../run/run-tally.js";
import type { ShardSpec } from "../../contacts/shard.js";

export interface PreviewResult {
  /** Every row by the status it has, or would have after a run that sends all pending ones as pending. */
  counts: StatusCounts;
  /** Contacts a run would send now (pending, not in doubt). */
  toSend: number;
  /** Contacts a run would first settle through List. */
  inDoubt: number;
  /** The first rows that will never be sent, with their reasons. */
  problems: Array<{ row: number; status: "invalid" | "duplicate" | "suppressed"; reason: string }>;
  /** The Parameters keys every contact is sent (for the flow preflight). */
  parameterKeys: string[];
  /** Contacts a run would send, by sender (for the expected duration and the senders' pace). */
  toSendBySender: Record<string, number>;
}

/**
 * `validate` and `run --dry-run`: the whole plan, with the ledger read but never written, and no
 * request sent. Each contact a run would send is reported as a `would-send` event.
 */
export async function previewCampaign(
  campaign: Campaign,
  options: {
    retryFailed?: boolean;
    shard?: ShardSpec | undefined;
    /** The instant deadlines are judged at. Default: now. */
    now?: number;

    maxProblems?: number;
    /** May return a promise (a writer's backpressure): the pass waits for it. */
    onEvent?: (event: RunEvent) => void | Promise<void>;
  },
): Promise<PreviewResult> {
  const maxProblems = options.maxProblems ?? 20;
  // The same tally as a run's: what a run would count, nothing recorded.
  const tally = new RunTally();
  const result: PreviewResult = { counts: tally.counts, toSend: 0, inDoubt: 0, problems: [], parameterKeys: [], toSendBySender: {} };
  // A follow-up whose first run has not listed anyone yet has no contacts file: nothing to preview.
  if (campaign.followUpOf && !existsSync(campaign.contactsPath)) return result;
  const { state, resume } = await loadCampaignState(campaign, { retryFailed: options.retryFailed ?? false, shard: options.shard });
  if (resume) for (const [status, n] of Object.entries(resume.prefixCounts)) tally.carried(status as RowStatus, n);
  const { rows, parameterKeys } = await planRows(campaign, state, {
    retryFailed: options.retryFailed ?? false,
    shard: options.shard,
    now: options.now ?? Date.now(),
    resume,
  });
  result.parameterKeys = parameterKeys;
  for await (const planned of rows) {
    if (planned.kind === "skipped") {
      const { verdict } = planned;
      tally.carried(verdict.status);
      if (result.problems.length < maxProblems) result.problems.push({ row: verdict.row, status: verdict.status, reason: verdict.reason });
      continue;
    }
    const { decision, contact } = planned;
    if (decision.action === "done") {
      tally.carried(decision.status);
      continue;
    }
    if (decision.action === "expire") {
      tally.carried("expired");
      continue;
    }
    if (decision.action === "opt-out") {
      tally.carried("opted_out");
      continue;
    }
    tally.carried("pending");
    if (decision.action === "settle") result.inDoubt++;
    else {
      result.toSend++;
      result.toSendBySender[contact.from] = (result.toSendBySender[contact.from] ?? 0) + 1;
    }
    await options.onEvent?.({ type: "would-send", row: contact.row, to: contact.to, from: contact.from, parameters: contact.parameters });
  }
  return result;
}
