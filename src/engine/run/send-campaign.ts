import { systemClock, type Clock, type StopControl } from "../../clock.js";
import { assertBinding } from "../../ledger/open-ledger.js";
import { Resources } from "../../resources.js";
import { withLedgerStores } from "../../ledger/open-store.js";
import type { Credentials } from "../../studio/credentials.js";
import { campaignLedger } from "../../campaign/campaign-ledger.js";
import type { Campaign } from "../../campaign/campaign.js";
import type { ShardSpec } from "../../contacts/shard.js";
import { surveyContacts, type ContactsSurvey } from "./survey-contacts.js";
import { RUNTIME_DEFAULTS } from "../../campaign/runtime-defaults.js";
import { idleRunSummary, openCampaignRun, type CampaignRunSession } from "./open-run.js";
import type { RunEvent, RunSummary } from "./run-events.js";
import { stopOnSignals, type SignalHandling } from "../../stop-on-signals.js";
import type { SendingFactories } from "./open-sending.js";

/** What `run` is asked to do, from the command line and the campaign file (docs/reference.md §2). */
export interface SendOptions {
  campaign: Campaign;
  shard: ShardSpec | undefined;
  credentials: Credentials;
  /** Studio's base URL, and Programmable Messaging's (a follow-up collects its source's outcomes). */
  urls: { studio: string; api: string };
  redisUrl: string | undefined;
  limit?: number | undefined;
  maxRuntimeMs?: number | undefined;
  retryFailed: boolean;
  /** `--accept-cancel`: cancel what a shrunken export lost (docs/reference.md §17). */
  acceptCancel?: boolean | undefined;
  preflight: boolean;
  requestTimeoutMs?: number | undefined;
  outageAfterMs?: number | undefined;
  redisReadyTimeoutMs?: number | undefined;
  clock?: Clock | undefined;
  stop: StopControl;
  /** SIGINT/SIGTERM stop the run (the CLI passes `process`). */
  signals?: SignalHandling | undefined;
  /** Progress, and the lines the operator reads before and while it sends. */
  onEvent: (event: RunEvent) => void;
  /** Each start the limiter grants (`DEBUG=studio-campaign:starts`). */
  onStart?: ((at: number, sender: string | undefined) => void) | undefined;
  /** What opens the client and the limiter (default: from the campaign); tests give a faster limiter. */
  factories?: SendingFactories | undefined;
}

/**
 * `run` (docs/reference.md §1): lock the ledger and read the campaign's state under the lock (a follow-up first
 * lists who qualifies), refuse a ledger of another campaign before anything goes to the network,
 * survey the contacts, and — when anything may be sent or settled — open the sending part (client,
 * preflight, limiter, cap) and run. Everything opened is closed as one when the run ends, however
 * it ends. A cron rerun with nothing to do opens no client: it exits 0 even while Studio is down.
 */
export async function sendCampaign(options: SendOptions): Promise<RunSummary> {
  await using resources = new Resources();
  // The stores the run opens: the command's (`runCli`), or — a run on its own — the run's, ended with its resources.
  return await withLedgerStores(() => send(options, resources), resources);
}

async function send(options: SendOptions, resources: Resources): Promise<RunSummary> {
  const { campaign, stop } = options;
  const clock = options.clock ?? systemClock;
  // The runtime's defaults, applied once here.
  const requestTimeoutMs = options.requestTimeoutMs ?? RUNTIME_DEFAULTS.requestTimeoutMs;
  const outageAfterMs = options.outageAfterMs ?? RUNTIME_DEFAULTS.outageAfterMs;
  const redisReadyTimeoutMs = options.redisReadyTimeoutMs ?? RUNTIME_DEFAULTS.redisReadyTimeoutMs;
  const startedAt = clock.now();
  if (options.signals) resources.defer(stopOnSignals(stop, options.signals));
  const session = await openSession(options, clock);
  resources.defer(() => session.release());
  if (session.idle) return idleRunSummary(session, clock.now() - startedAt);
  const survey = await surveyContacts(campaign, session);
  const { kind } = session;
  // What is due is known only as the plan is read (docs/reference.md §17): a standing campaign's total grows with it.
  const total = kind.paceBeforePlanning ? progressTotal(survey, options.limit) : 0;
  options.onEvent({ type: "planned", toSendBySender: survey.toSendBySender, total, unit: kind.unit });
  if (!survey.mayCreate) return idleRunSummary(session, clock.now() - startedAt);
  const line = (text: string) => options.onEvent({ type: "line", text });
  // The sending stack (undici, Bottleneck, the preflight) loads only when something may be sent.
  const [{ openSending }, { runCampaign }] = await Promise.all([import("./open-sending.js"), import("./run-campaign.js")]);
  const sending = await openSending(
    {
      campaign,
      toolParameters: session.kind.addedParameters,
      credentials: options.credentials,
      studioUrl: options.urls.studio,
      redisUrl: options.redisUrl,
      preflight: options.preflight,
      requestTimeoutMs,
      outageAfterMs,
      redisReadyTimeoutMs,
      clock,
      stop,
      line,
      onStart: options.onStart,
      factories: options.factories,
    },
    survey,
    resources,
  );
  return await runCampaign({
    ...sending,
    campaign,
    accountId: options.credentials.accountId,
    limit: options.limit,
    maxRuntimeMs: options.maxRuntimeMs,
    retryFailed: options.retryFailed,
    acceptCancel: options.acceptCancel,
    shard: options.shard,
    stop,
    clock,
    onEvent: options.onEvent,
    requestTimeoutMs,
    outageAfterMs,
    session,
  });
}

/** The ledger locked and read (a follow-up's list refreshed first), bound to this campaign. */
async function openSession(options: SendOptions, clock: Clock): Promise<CampaignRunSession> {
  const { campaign, shard, credentials } = options;
  const prepare = campaign.followUpOf
    ? async () => {
        const { prepareFollowUp } = await import("../follow-up/prepare-follow-up.js");
        const line = (text: string) => options.onEvent({ type: "line", text });
        const tally = await prepareFollowUp(campaign, { credentials, urls: options.urls, clock, stop: options.stop, note: line });
        options.onEvent({ type: "follow-up", tally });
      }
    : undefined;
  const session = await openCampaignRun(campaign, { retryFailed: options.retryFailed, shard, prepare, now: clock.now() });
  // A ledger of another campaign is refused before anything goes to the network (exit 2).
  const header = session.loaded.state.header;
  const binding = { name: campaign.name, flowSid: campaign.flowSid, from: campaign.from, account: credentials.accountId };
  try {
    if (header) assertBinding(campaignLedger(campaign, shard).label, header, binding);
  } catch (err) {
    await session.release();
    throw err;
  }
  return session;
}

/** An upper bound for the progress bar: what may be sent (duplicates and invalid rows not recorded yet count) and the doubts. */
function progressTotal(survey: ContactsSurvey, limit: number | undefined): number {
  return (limit !== undefined ? Math.min(limit, survey.toSendEstimate) : survey.toSendEstimate) + survey.inDoubt;
}
