import { openLedgerForRun } from "../../ledger/open-ledger.js";
import type { LedgerLockHandle, LedgerWriter } from "../../ledger/ledger-store.js";
import { campaignLedger } from "../../campaign/campaign-ledger.js";
import { idleRunSummary, type CampaignRunSession } from "./open-run.js";
import { applyEvent } from "../../ledger/fold.js";
import type { StudioClient } from "../../studio/client.js";
import type { Reads } from "../../studio/read-retry.js";
import { RUNTIME_DEFAULTS } from "../../campaign/runtime-defaults.js";
import type { AccountLimiter } from "../../throttle/create-limiter.js";
import type { FlowFacts } from "../../flow/preflight-verdict.js";
import type { Campaign } from "../../campaign/campaign.js";
import type { DailyCap } from "./daily-cap.js";
import type { CampaignState } from "../plan/campaign-state.js";
import type { FinalPrefixTracker } from "../plan/final-prefix.js";
import { Admission } from "./admission.js";
import { loadCampaignOptOuts } from "../../campaign/campaign-opt-outs.js";
import type { CampaignKind, Plan } from "../kinds/campaign-kind.js";
import type { ScheduleSummary } from "../standing/schedule-summary.js";
import { RowPass } from "./row-pass.js";
import { RunContext } from "./run-context.js";
import { StopControl, systemClock, type Clock } from "../../clock.js";
import type { RowStatus } from "../../ledger/row-status.js";
import type { RunEvent, RunSummary } from "./run-events.js";
import { RunTally } from "./run-tally.js";
import { saveCheckpoint } from "../plan/save-checkpoint.js";
import { displayZone } from "../plan/send-window.js";
import type { ShardSpec } from "../../contacts/shard.js";

export interface RunOptions {
  campaign: Campaign;
  client: StudioClient;
  limiter: AccountLimiter;
  /** The account the ledger is bound to. */
  accountId: string;
  /** Attempt at most this many new contacts in this run. */
  limit?: number | undefined;
  /** Stop dispatching after this long, ms. */
  maxRuntimeMs?: number | undefined;
  retryFailed?: boolean;
  /** `--accept-cancel` (docs/reference.md §17). */
  acceptCancel?: boolean | undefined;
  shard?: ShardSpec | undefined;
  stop?: StopControl;
  clock?: Clock;
  onEvent?: (event: RunEvent) => void;
  /** The client's per-request timeout: how long an unanswered create may still be processed. */
  requestTimeoutMs: number;
  /** Stop (exit 75) when Studio has failed every request for this long, ms. */
  outageAfterMs: number;
  /** What the flow preflight found, recorded in the ledger when it changed (docs/reference.md §10). */
  flowFacts?: FlowFacts | undefined;
  /** The daily cap (docs/reference.md §13): asked before each contact's create; at the cap the run stops (exit 75). */
  cap?: DailyCap | undefined;
  /** The ledger locked and read by the caller (`openCampaignRun`), which releases it. */
  session: CampaignRunSession;
  /** The run's reads (preflight, List, Fetch), on the run's clock and stop. */
  reads: Reads;
}

/**
 * `run`: one pass over the contacts, creating an Execution for each pending one; then settle
 * what is in doubt through List and send again what provably was not created.
 */
export async function runCampaign(options: RunOptions): Promise<RunSummary> {
  const { session } = options;
  if (session.idle) return idleRunSummary(session, 0);
  const { kind, loaded } = session;
  const clock = options.clock ?? systemClock;
  const stop = options.stop ?? new StopControl();
  const startedAt = clock.now();
  const { ctx, writer } = await openRunContext(options, { ...session, clock, stop });
  // A standing campaign's tick: the export as it is before this run reads it (the next tick compares).
  const tick = await kind.beginTick(options.shard, ctx.store);
  const tally = new RunTally();
  if (loaded.resume) for (const [status, n] of Object.entries(loaded.resume.prefixCounts)) tally.carried(status as RowStatus, n);
  const planned = await kind
    .plan(ctx.state, {
      retryFailed: options.retryFailed ?? false,
      acceptCancel: options.acceptCancel,
      shard: options.shard,
      now: clock.now(),
      resume: loaded.resume,
      trackPrefix: true,
      write: (events) => ctx.appendAll(events),
      optedOut: ctx.optedOut,
      tick,
    })
    .catch(async (err: unknown) => {
      await writer.close();
      await ctx.optedOut.store.close();
      throw err;
    });
  const admission = new Admission({ window: options.campaign.window, limit: options.limit, cap: options.cap, unit: kind.unit });
  const pass = new RowPass({ ctx, tally, admission, finalPrefix: planned.prefix });
  const unwatch = watchStops(options, stop, clock);
  try {
    await pass.run(planned.batches);
    await pass.settle();
  } finally {
    unwatch();
    await pass.drain();
    await Promise.allSettled([...ctx.pendingWrites]);
    // A ledger that failed mid-run (a full disk) is an operator condition: the run stops with the
    // rest pending (exit 75) and its summary, never an internal error.
    await writer.close().catch((err: unknown) => stop.request("outage", err instanceof Error ? err.message : String(err)));
    await ctx.optedOut.store.close();
  }
  if (!writer.failed) await saveCheckpointAfterRun(ctx, { prefix: planned.prefix, loaded, shard: options.shard, kind });
  for (const held of admission.holds.stops()) stop.request(held.reason, held.message);
  const summary = summarize({ tally, stop, startedAt, endedAt: clock.now(), firstSendAt: pass.firstSendAt, loaded });
  if (!tick) return summary;
  // A ledger that failed mid-run leaves no mark: the next tick reads everything.
  const store = writer.failed ? undefined : ctx.store;
  const note = (message: string) => ctx.emit({ type: "note", message });
  const schedule = tickSchedule(tally, admission, planned, displayZone(ctx.campaign.window));
  return tick.end(summary, { schedule, wakeAt: tally.wakeAt, store, note });
}

/** A tick's schedule: due reminders held by the window count as due (docs/reference.md §17), and those that will expire before it opens are named. */
function tickSchedule(tally: RunTally, admission: Admission, planned: Plan, zone: string): ScheduleSummary {
  return {
    ...tally.scheduleSummary(zone),
    held: admission.holds.window.held,
    expiring: admission.holds.window.expiring,
    ...(planned.reread?.() ? { reread: planned.reread() } : {}),
    ...(planned.unchangedRows?.() ? { unchangedRows: planned.unchangedRows() } : {}),
  };
}

/** A stop drops the creates still waiting for the limiter; `--max-runtime` (on the run's clock) requests one. Returns the unwatch. */
function watchStops(options: RunOptions, stop: StopControl, clock: Clock): () => void {
  stop.signal.addEventListener("abort", () => void options.limiter.stop().catch(() => undefined), { once: true });
  if (stop.stopped) void options.limiter.stop();
  const ms = options.maxRuntimeMs;
  if (ms === undefined) return () => undefined;
  const done = new AbortController();
  const either = AbortSignal.any([done.signal, stop.signal]);
  void clock.sleep(ms, either).then(() => {
    if (!either.aborted) stop.request("max-runtime", `--max-runtime reached after ${Math.round(ms / 1000)} s`);
  });
  return () => done.abort();
}

/**
 * Still under the lock, with every line on disk: where the next run may start reading. A
 * failure here costs the next run a full read, never a contact.
 */
async function saveCheckpointAfterRun(
  ctx: RunContext,
  run: { prefix: FinalPrefixTracker | undefined; loaded: CampaignState; shard: ShardSpec | undefined; kind: CampaignKind },
): Promise<void> {
  const { prefix, loaded, shard, kind } = run;
  const since = loaded.resume?.checkpoint;
  await saveCheckpoint(ctx.campaign, { state: ctx.state, prefix: prefix?.result(), since, shard, policy: kind.checkpoint }).catch(
    (err: unknown) =>
      ctx.emit({ type: "note", message: `the checkpoint could not be written (${String(err)}): the next run reads everything` }),
  );
}

function summarize(run: {
  tally: RunTally;
  stop: StopControl;
  startedAt: number;
  endedAt: number;
  firstSendAt: number | undefined;
  loaded: CampaignState;
}): RunSummary {
  const { tally, stop, startedAt, endedAt, firstSendAt, loaded } = run;
  const sendingMs = firstSendAt === undefined ? 0 : endedAt - firstSendAt;
  return {
    counts: tally.counts,
    thisRun: tally.thisRun,
    stopped: stop.reason,
    stopMessage: stop.message,
    durationMs: endedAt - startedAt,
    achievedRate: sendingMs > 0 ? tally.thisRun.created / (sendingMs / 1000) : 0,
    dryRun: false,
    skippedFinalRows: loaded.resume?.csv.rows ?? 0,
  };
}

/** The ledger opened for appending, the flow's facts recorded when they changed, and what the run's parts share. */
async function openRunContext(
  options: RunOptions,
  run: { kind: CampaignKind; loaded: CampaignState; lock: LedgerLockHandle; clock: Clock; stop: StopControl },
): Promise<{ ctx: RunContext; writer: LedgerWriter }> {
  const { campaign } = options;
  const { loaded, clock } = run;
  const binding = { name: campaign.name, flowSid: campaign.flowSid, from: campaign.from, account: options.accountId };
  const store = campaignLedger(campaign, options.shard);
  // The opt-out list first: a list that cannot be read sends nothing (exit 75).
  const optedOut = await loadCampaignOptOuts(campaign, clock.now());
  const { state, writer } = await openLedgerForRun(store, binding, { loaded, lock: run.lock }).catch(async (err: unknown) => {
    await optedOut.store.close();
    throw err;
  });
  const facts = options.flowFacts;
  if (facts && !sameFacts(state.flow, facts)) {
    const event = {
      t: "flow",
      sid: facts.flowSid,
      revision: facts.revision,
      questions: facts.questions,
      at: new Date(clock.now()).toISOString(),
    } as const;
    applyEvent(state, event);
    await writer.append({ ...event, questions: [...event.questions] });
  }
  const ctx = new RunContext({
    campaign,
    kind: run.kind,
    client: options.client,
    limiter: options.limiter,
    ledger: writer,
    store,
    state,
    policy: { ...RUNTIME_DEFAULTS.retry, ...campaign.retry },
    stop: run.stop,
    clock,
    reads: options.reads,
    emit: options.onEvent ?? (() => undefined),
    requestTimeoutMs: options.requestTimeoutMs,
    outageAfterMs: options.outageAfterMs,
    optedOut,
  });
  return { ctx, writer };
}

function sameFacts(recorded: { sid: string; revision: number; questions: string[] } | undefined, facts: FlowFacts): boolean {
  return (
    recorded !== undefined &&
    recorded.sid === facts.flowSid &&
    recorded.revision === facts.revision &&
    recorded.questions.join("\n") === facts.questions.join("\n")
  );
}
