import { existsSync } from "node:fs";
import type { StopReason } from "../clock.js";
import type { ShardSpec } from "../contacts/shard.js";
import type { Campaign } from "../campaign/campaign.js";
import { Admission } from "../engine/run/admission.js";
import { capDay, ledgerUsedToday, LocalDailyCap, openDailyCap } from "../engine/run/daily-cap.js";
import type { RowAction } from "../engine/plan/row-action.js";
import type { PlannedRow } from "../engine/plan/planned-row.js";
import type { RowStatus, StatusCounts } from "../ledger/row-status.js";
import type { RunEvent } from "../engine/run/run-events.js";
import { RunTally } from "../engine/run/run-tally.js";
import { loadCampaignState } from "../engine/plan/campaign-state.js";
import { loadCampaignOptOuts } from "../campaign/campaign-opt-outs.js";
import { kindOf } from "../engine/kinds/kind-of.js";
import type { ScheduleView } from "../engine/standing/schedule-view.js";

export interface PreviewResult {
  /** Every row by the status it has, or would have after a run now (what it would send, as pending). */
  counts: StatusCounts;
  /** Contacts a run now would send: exactly the `would-send` events. */
  toSend: number;
  /** Contacts a run would first settle through List. */
  inDoubt: number;
  /** Contacts a run now would hold — outside the window, past `--limit`, over the daily cap — and send later. */
  held: number;
  /** Why they are held, and when each clears: the run's own stop messages (window opens at …, the cap's next day …). */
  holds: Array<{ reason: StopReason; message: string }>;
  /**
   * Invalid rows a run now would report as its own, and so exit 1 for (docs/reference.md §7): in a
   * survey those not yet recorded; in a standing campaign every one in the export (each tick reads it anew).
   */
  rowErrors: number;
  /** The first rows that will never be sent, with their reasons. */
  problems: Array<{ row: number; status: "invalid" | "duplicate" | "suppressed" | "excluded"; reason: string }>;
  /** The Parameters keys every contact is sent (for the flow preflight). */
  parameterKeys: string[];
  /** Contacts a run now would send, by sender (for the expected duration and the senders' pace). */
  toSendBySender: Record<string, number>;
  /** A standing campaign's appointments read as another time from the same cells, after a campaign change (docs/reference.md §17). */
  reread: number;
  /** A standing campaign's reminders: due now, in the next 24 hours, later, never sendable, cancelled (docs/reference.md §16). */
  schedule?: ScheduleView;
}

export interface PreviewOptions {
  retryFailed?: boolean;
  acceptCancel?: boolean | undefined;
  shard?: ShardSpec | undefined;
  /** The instant the run is imagined at: the window, deadlines and the cap's day. Default: now. */
  now?: number;
  /** `--limit`. */
  limit?: number | undefined;
  /** The daily cap's count today: with Redis, the shared one (read, never taken); else the campaign's own ledger's. */
  redisUrl?: string | undefined;
  maxProblems?: number;
  /** May return a promise (a writer's backpressure): the pass waits for it. */
  onEvent?: (event: RunEvent) => void | Promise<void>;
  /** Every planned row with what a run would do with it (`preview` picks its rows from them). */
  onPlanned?: (planned: PlannedRow, action: RowAction) => void;
}

/**
 * `validate` and `run --dry-run` (a dry run is the real run's decision): the run's own
 * pass over the plan — the send window, `--limit`, the daily cap (a copy of today's count: taking
 * from it takes nothing), doubts first — with the ledger read but never written and no request
 * sent. Each contact a run now would send is a `would-send` event; the others are held by reason.
 */
export async function previewCampaign(campaign: Campaign, options: PreviewOptions = {}): Promise<PreviewResult> {
  const now = options.now ?? Date.now();
  // The same tally as a run's: what a run would count, nothing recorded.
  const tally = new RunTally();
  const result: PreviewResult = {
    counts: tally.counts,
    toSend: 0,
    inDoubt: 0,
    held: 0,
    holds: [],
    rowErrors: 0,
    reread: 0,
    problems: [],
    parameterKeys: [],
    toSendBySender: {},
  };
  // A follow-up whose first run has not listed anyone yet has no contacts file: nothing to preview.
  if (campaign.followUpOf && !existsSync(campaign.contactsPath)) return result;
  const retryFailed = options.retryFailed ?? false;
  const kind = await kindOf(campaign);
  const { state, resume } = await loadCampaignState(campaign, { retryFailed, shard: options.shard, policy: kind.checkpoint });
  if (resume) for (const [status, n] of Object.entries(resume.prefixCounts)) tally.carried(status as RowStatus, n);
  // The list a run would read (docs/reference.md §12): its file, or its table.
  await using optedOut = await loadCampaignOptOuts(campaign, now);
  const plan = await kind.plan(state, {
    retryFailed,
    acceptCancel: options.acceptCancel,
    shard: options.shard,
    now,
    resume,
    optedOut,
  });
  result.parameterKeys = plan.parameterKeys;
  const view = kind.planView();
  if (view) result.schedule = view.view;
  const admission = new Admission({ window: campaign.window, limit: options.limit, cap: await capCopy(campaign, now, options.redisUrl) });
  for await (const batch of plan.batches)
    for (const planned of batch) {
      // Every row never sent is a problem to show, recorded before or not (a standing campaign never records them: rows move).
      if (planned.kind === "skipped" && result.problems.length < (options.maxProblems ?? 20)) {
        const { verdict } = planned;
        result.problems.push({ row: verdict.row, status: verdict.status, reason: verdict.reason });
      }
      const action = admission.decide(planned, now, false);
      options.onPlanned?.(planned, action);
      view?.note(planned, action, now, campaign.window);
      await dryPerform(action, { admission, tally, result, now, options, rereadEachRun: view !== undefined });
    }
  result.holds = admission.holds.stops();
  result.reread = plan.reread?.() ?? 0;
  return result;
}

/** What a run would do with the row, counted: nothing recorded, nothing sent. */
async function dryPerform(
  action: RowAction,
  pass: { admission: Admission; tally: RunTally; result: PreviewResult; now: number; options: PreviewOptions; rereadEachRun: boolean },
): Promise<void> {
  const { tally, result, options } = pass;
  switch (action.kind) {
    case "count":
      if (action.status === "invalid" && pass.rereadEachRun) result.rowErrors++;
      return tally.carried(action.status);
    case "later":
      return tally.later(action.dueAt, action.wakeAt);
    case "laters":
      return tally.laters(action.count);
    case "cancelled":
      return tally.carried("cancelled");
    case "record-skip":
      if (action.verdict.status === "invalid") result.rowErrors++;
      return tally.carried(action.verdict.status);
    case "expire":
      return tally.carried("expired");
    case "opt-out":
      return tally.carried("opted_out");
    case "settle":
      result.inDoubt++;
      return tally.carried("pending");
    case "withhold":
    case "hold":
      result.held++;
      return tally.carried("pending");
    case "send":
      tally.carried("pending");
      if (!(await pass.admission.withinCap(pass.now))) {
        pass.admission.heldByCap(pass.now);
        result.held++;
        return;
      }
      result.toSend++;
      result.toSendBySender[action.contact.from] = (result.toSendBySender[action.contact.from] ?? 0) + 1;
      const { row, to, from, parameters } = action.contact;
      await options.onEvent?.({ type: "would-send", row, to, from, parameters });
  }
}

/** The daily cap as a run would find it now: a local copy of today's count (taking from it takes nothing from the real one). */
async function capCopy(campaign: Campaign, now: number, redisUrl: string | undefined): Promise<LocalDailyCap | undefined> {
  const { maxPerDay, dayZone, messagesPerContact } = campaign.rate;
  if (maxPerDay === undefined) return undefined;
  const settings = { maxPerDay, dayZone, messagesPerContact, capKey: undefined };
  return new LocalDailyCap(settings, { day: capDay(dayZone, now).key, used: await usedToday(campaign, now, redisUrl) });
}

/** Today's count: with Redis, the shared one a run would take from (a brand's, across campaigns); else the campaign's ledger's. */
async function usedToday(campaign: Campaign, now: number, redisUrl: string | undefined): Promise<number> {
  if (redisUrl === undefined) return ledgerUsedToday(campaign, now);
  const shared = await openDailyCap(campaign, { at: now, redisUrl });
  try {
    return (await shared?.used(now)) ?? 0;
  } finally {
    await shared?.close();
  }
}
