import type { Contact } from "../contacts/contact.js";
import { LedgerLock } from "../ledger/ledger-lock.js";
import { openLedgerForRun } from "../ledger/open-ledger.js";
import type { StudioClient } from "../studio/client.js";
import { RETRY_DEFAULTS } from "../studio/retry-policy.js";
import type { AccountLimiter } from "../throttle/create-limiter.js";
import type { Campaign } from "./campaign.js";
import { ContactSender, type SendResult } from "./contact-sender.js";
import { DoubtSettler } from "./doubt-settler.js";
import { planRows } from "./plan-rows.js";
import { loadCampaignState, type CampaignState } from "./campaign-state.js";
import { saveCheckpoint } from "./save-checkpoint.js";
import type { FinalPrefixTracker } from "./final-prefix.js";
import { applyEvent } from "../ledger/contact-state.js";
import { decideRow } from "./row-action.js";
import { nextOpening } from "./send-window.js";
import { RunContext, StopControl, systemClock, type Clock } from "./run-context.js";
import { emptyCounts, type RowStatus, type RunEvent, type RunSummary } from "./run-events.js";
import type { ShardSpec } from "./shard.js";
import type { FlowFacts } from "../flow/preflight-verdict.js";

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
  shard?: ShardSpec | undefined;
  stop?: StopControl;
  clock?: Clock;
  onEvent?: (event: RunEvent) => void;
  /** The client's per-request timeout: how long an unanswered create may still be processed. */
  requestTimeoutMs: number;
  /** Stop (exit 75) when Studio has failed every request for this long, ms. Default 120 000. */
  outageAfterMs?: number | undefined;
  /** What the flow preflight found, recorded in the ledger when it changed (SPEC §10). */
  flowFacts?: FlowFacts | undefined;
  /** The ledger already locked and read by the caller (`openCampaignRun`); it releases it. */
  session?: CampaignRunSession | undefined;
}

const DEFAULT_OUTAGE_AFTER_MS = 120_000;

/** Contacts read ahead of the limiter at most, beyond those in flight. */
const READ_AHEAD = 64;

/**
 * `run`: one pass over the contacts, creating an Execution for each pending one; then settle
 * what is in doubt through List and send again what provably was not created.
 */
export async function runCampaign(options: RunOptions): Promise<RunSummary> {
  if (options.session) return runLocked(options, options.session.loaded);
  const session = await openCampaignRun(options.campaign, { retryFailed: options.retryFailed ?? false, shard: options.shard });
  try {
    return await runLocked(options, session.loaded);
  } finally {
    await session.release();
  }
}

/** A campaign's ledger, locked for one run, and its state read under the lock. */
export interface CampaignRunSession {
  loaded: CampaignState;
  release(): Promise<void>;
}

/**
 * Take the ledger's lock — one run per ledger: a second one exits at once naming the holder
 * (SPEC §5) — and read the campaign's state under it (from the checkpoint plus the ledger's
 * newer events when it holds, else the whole ledger). The state is read only under the lock:
 * read before it, another run finishing in between could leave it stale.
 */
export async function openCampaignRun(campaign: Campaign, options: { retryFailed: boolean; shard: ShardSpec | undefined }): Promise<CampaignRunSession> {
  const lock = await LedgerLock.acquire(campaign.ledgerPath);
  try {
    return { loaded: await loadCampaignState(campaign, options), release: () => lock.release() };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function runLocked(options: RunOptions, loaded: CampaignState): Promise<RunSummary> {
  const { campaign } = options;
  const clock = options.clock ?? systemClock;
  const stop = options.stop ?? new StopControl();
  const emit = options.onEvent ?? (() => undefined);
  const startedAt = clock.now();
  const counts = emptyCounts();
  const thisRun: RunSummary["thisRun"] = { created: 0, conflictSkipped: 0, failed: 0, expired: 0, invalid: 0, duplicate: 0, suppressed: 0, requests: 0, rateLimited: 0 };
  const { state, writer } = await openLedgerForRun(
    campaign.ledgerPath,
    { name: campaign.name, flowSid: campaign.flowSid, from: campaign.from, account: options.accountId },
    { loaded },
  );
  const facts = options.flowFacts;
  if (facts && !sameFacts(state.flow, facts)) {
    const event = { t: "flow", sid: facts.flowSid, revision: facts.revision, questions: facts.questions, at: new Date(clock.now()).toISOString() } as const;
    applyEvent(state, event);
    await writer.append({ ...event, questions: [...event.questions] });
  }
  const ctx = new RunContext(
    campaign,
    options.client,
    options.limiter,
    writer,
    state,
    { ...RETRY_DEFAULTS, ...campaign.retry },
    stop,
    clock,
    emit,
    thisRun,
    options.requestTimeoutMs,
    options.outageAfterMs ?? DEFAULT_OUTAGE_AFTER_MS,
  );
  // Whatever the reason, a stop drops the creates still waiting for the limiter.
  stop.signal.addEventListener("abort", () => void options.limiter.stop().catch(() => undefined), { once: true });
  if (stop.stopped) void options.limiter.stop();
  const sender = new ContactSender(ctx);
  const settler = new DoubtSettler(ctx);
  const runtimeTimer =
    options.maxRuntimeMs !== undefined
      ? setTimeout(() => stop.request("max-runtime", `--max-runtime reached after ${Math.round(options.maxRuntimeMs! / 1000)} s`), options.maxRuntimeMs)
      : undefined;
  const inFlight = new Set<Promise<void>>();
  let firstSendAt: number | undefined;
  let started = 0;
  let limitHeld = 0;
  const window = campaign.window;
  let windowHeld = 0;
  let nextOpen: number | undefined;
  /** When the window next opens, by the zones a held contact is judged in. */
  const openingByZones = new Map<string, number | undefined>();

  const tally = (contact: Contact, result: SendResult, readyAt?: number) => {
    if (result === "in-doubt") {
      settler.add({ contact, readyAt: readyAt ?? clock.now() });
      return;
    }
    counts[result]++;
    emit({ type: "row", row: contact.row, status: result, to: contact.to });
  };
  const dispatch = (contact: Contact) => {
    firstSendAt ??= clock.now();
    const job = sender.send(contact).then(
      (outcome) => tally(contact, outcome.result, outcome.readyAt),
      (err: unknown) => {
        stop.request("outage", `the ledger could not be written: ${String(err)}`);
        counts.pending++;
      },
    );
    inFlight.add(job);
    void job.finally(() => {
      inFlight.delete(job);
      wakeReader?.();
    });
  };
  // The reader waits for a free place; one resolver, not a Promise.race over every job.
  let wakeReader: (() => void) | undefined;
  const placeFreed = () => new Promise<void>((resolve) => (wakeReader = resolve));
  let finalPrefix: FinalPrefixTracker | undefined;

  try {
    if (loaded.resume) for (const [status, n] of Object.entries(loaded.resume.prefixCounts)) counts[status as RowStatus] += n;
    const planned = await planRows(campaign, state, { retryFailed: options.retryFailed ?? false, shard: options.shard, now: clock.now(), resume: loaded.resume, trackPrefix: true });
    const { rows } = planned;
    finalPrefix = planned.prefix;
    for await (const planned of rows) {
      const now = clock.now();
      const action = decideRow(planned, { stopping: stop.stopped, now, window, started, limit: options.limit });
      // How far every row is final: the checkpoint written after the run starts there.
      if (action.kind === "count") finalPrefix?.final(action.status);
      else if (action.kind === "record-skip") finalPrefix?.final(action.verdict.status);
      else if (action.kind === "expire") finalPrefix?.final("expired");
      else finalPrefix?.open();
      switch (action.kind) {
        case "count":
          counts[action.status]++;
          break;
        case "record-skip": {
          const { verdict } = action;
          counts[verdict.status]++;
          void ctx.record({ t: "row", row: verdict.row, status: verdict.status, to: verdict.to, from: verdict.from, reason: verdict.reason, at: ctx.nowIso() });
          thisRun[verdict.status]++;
          emit({ type: "row", row: verdict.row, status: verdict.status, to: verdict.to, detail: verdict.reason });
          break;
        }
        case "expire":
          tally(action.contact, sender.expire(action.contact));
          break;
        case "settle":
          settler.add({ contact: action.contact, readyAt: (state.contacts.get(action.key)?.lastAttemptAt ?? 0) + options.requestTimeoutMs });
          break;
        case "hold":
          counts.pending++; // counted, not sent: the pass goes on so that no open contact waits behind held ones
          if (action.reason === "limit") limitHeld++;
          if (action.reason === "window") {
            windowHeld++;
            const key = action.zones?.join("|") ?? "";
            if (!openingByZones.has(key)) openingByZones.set(key, window ? nextOpening(window, now, action.zones) : undefined);
            const opens = openingByZones.get(key);
            if (opens !== undefined && (nextOpen === undefined || opens < nextOpen)) nextOpen = opens;
          }
          break;
        case "send":
          started++;
          while (inFlight.size >= campaign.rate.concurrency + READ_AHEAD) await placeFreed();
          dispatch(action.contact);
          break;
      }
    }
    await Promise.all(inFlight);
    // Settle what is in doubt, send again what was not created, until nothing is in doubt.
    while (settler.size > 0 && !stop.stopped) {
      const cleared = await settler.settle();
      for (const settled of cleared.adopted) tally(settled, "created");
      for (const contact of cleared.resend) dispatch(contact);
      for (const contact of cleared.exhausted) tally(contact, "failed");
      await Promise.all(inFlight);
    }
    counts.pending += settler.size;
  } finally {
    clearTimeout(runtimeTimer);
    await Promise.allSettled(inFlight);
    await Promise.allSettled([...ctx.pendingWrites]);
    await writer.close();
  }
  // Still under the lock, with every line on disk: where the next run may start reading. A
  // failure here costs the next run a full read, never a contact.
  if (!writer.failed && finalPrefix) {
    await saveCheckpoint(campaign, { state, prefix: finalPrefix.result(), since: loaded.resume?.checkpoint, shard: options.shard }).catch((err: unknown) =>
      emit({ type: "note", message: `the checkpoint could not be written (${String(err)}): the next run reads everything` }),
    );
  }
  if (windowHeld > 0) {
    const when = nextOpen === undefined ? "not within a week" : `next at ${new Date(nextOpen).toISOString()}`;
    const where = window?.recipient ? "in their own time zones" : `(${window?.timezone ?? ""})`;
    stop.request("window", `${windowHeld} contact(s) are outside the send window ${where}; it opens ${when}`);
  }
  if (limitHeld > 0) stop.request("limit", `--limit ${options.limit} reached; ${limitHeld} contacts left for the next run`);

  const endedAt = clock.now();
  const sendingMs = firstSendAt === undefined ? 0 : endedAt - firstSendAt;
  return {
    counts,
    thisRun,
    stopped: stop.reason,
    stopMessage: stop.message,
    durationMs: endedAt - startedAt,
    achievedRate: sendingMs > 0 ? thisRun.created / (sendingMs / 1000) : 0,
    dryRun: false,
    skippedFinalRows: loaded.resume?.csv.rows ?? 0,
  };
}

function sameFacts(recorded: { sid: string; revision: number; questions: string[] } | undefined, facts: FlowFacts): boolean {
  return recorded !== undefined && recorded.sid === facts.flowSid && recorded.revision === facts.revision && recorded.questions.join("\n") === facts.questions.join("\n");
}
