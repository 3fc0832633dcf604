import type { ContactsSurvey } from "../campaign/plan/survey-contacts.js";
import { capPlanLine, openDailyCap, type DailyCap } from "../campaign/run/daily-cap.js";
import { preflightFlow } from "../campaign/run/preflight.js";
import { runCampaign } from "../campaign/run/run-campaign.js";
import { StopControl } from "../campaign/run/run-context.js";
import type { RunSummary } from "../campaign/run/run-events.js";
import type { FlowFacts } from "../flow/preflight-verdict.js";
import { StudioClient } from "../studio/client.js";
import { createLimiter } from "../throttle/create-limiter.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import { ProgressRenderer } from "./progress.js";
import { isDebugging } from "./debug.js";
import { printSummary, type LockedRun } from "./send-campaign.js";

const REDIS_READY_TIMEOUT_MS = 5_000;
/** Per-request budget of the client; also how long an unanswered create may still be in Studio's hands. */
const REQUEST_TIMEOUT_MS = 15_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The sending part of `run`: client, preflight, limiter, daily cap, signals, the run loop, its summary. */
export async function sendContacts(options: LockedRun & { survey: ContactsSurvey; ledgerLabel: string }): Promise<void> {
  const { argv, campaign, shard, credentials, baseUrl, redisUrl, session, survey, ledgerLabel } = options;
  const timeoutMs = argv["request-timeout"] ?? REQUEST_TIMEOUT_MS;
  const client = new StudioClient({ baseUrl, credentials, connections: campaign.rate.concurrency, timeoutMs });
  let flowFacts: FlowFacts | undefined;
  // Before the first create (SPEC §10). A cron rerun with nothing to send or settle creates
  // nothing: it skips the check and exits 0 even while Studio is unreachable.
  if (argv.preflight && survey.mayCreate) {
    try {
      flowFacts = (await preflightFlow(client, campaign.flowSid, survey.parameterKeys, (line) => process.stderr.write(`${line}\n`))).facts;
    } catch (err) {
      await client.close();
      throw err;
    }
  }
  const limiter = await createLimiter({
    perSecond: campaign.rate.perSecond,
    concurrency: campaign.rate.concurrency,
    perSenderPerSecond: campaign.rate.senderMps === undefined ? undefined : campaign.rate.senderMps / campaign.rate.messagesPerContact,
    redis:
      redisUrl === undefined
        ? undefined
        : { url: redisUrl, id: `studio-campaign:${credentials.accountId}`, jobExpirationMs: 2 * timeoutMs + 10_000 },
    onStart: isDebugging("studio-campaign:starts")
      ? (at, sender) => process.stderr.write(`studio-campaign:starts ${at} ${sender ?? campaign.from}\n`)
      : undefined,
  });
  try {
    await withTimeout(limiter.ready(), argv["redis-timeout"] ?? REDIS_READY_TIMEOUT_MS);
  } catch {
    await limiter.close();
    throw new ExitError(ExitCode.tempFail, "the shared rate limiter (Redis) is unreachable: nothing was sent; rerun when it is back");
  }
  let cap: DailyCap | undefined;
  try {
    cap = await openDailyCap(campaign, { at: Date.now(), redisUrl });
    if (cap) {
      const used = await withTimeout(cap.used(Date.now()), argv["redis-timeout"] ?? REDIS_READY_TIMEOUT_MS);
      process.stderr.write(`${capPlanLine(campaign, survey.toSendEstimate, used)}\n`);
    }
  } catch {
    await Promise.all([limiter.close(), cap?.close()]);
    throw new ExitError(ExitCode.tempFail, "the daily cap's shared count (Redis) is unreachable: nothing was sent; rerun when it is back");
  }
  const stop = new StopControl();
  const progress = new ProgressRenderer();
  // An upper bound: what may be sent (duplicates and invalid rows not recorded yet count) and the doubts.
  progress.setTotal((argv.limit !== undefined ? Math.min(argv.limit, survey.toSendEstimate) : survey.toSendEstimate) + survey.inDoubt);
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.request("signal", `${signal} received: finishing the requests in flight`)) {
      // A second signal: leave now. Every attempt line is already on disk before its request.
      process.stderr.write(`studio-campaign: second ${signal}: exiting at once\n`);
      process.exit(ExitCode.tempFail);
    }
    progress.onEvent({ type: "stopping", reason: "signal", message: stop.message ?? signal });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let summary: RunSummary;
  try {
    summary = await runCampaign({
      campaign,
      client,
      limiter,
      accountId: credentials.accountId,
      limit: argv.limit,
      maxRuntimeMs: argv["max-runtime"] !== undefined ? argv["max-runtime"] * 1000 : undefined,
      retryFailed: argv["retry-failed"],
      shard,
      stop,
      onEvent: progress.onEvent,
      requestTimeoutMs: timeoutMs,
      outageAfterMs: argv["outage-after"] !== undefined ? argv["outage-after"] * 1000 : undefined,
      flowFacts,
      session,
      cap,
    });
  } finally {
    progress.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await limiter.close();
    await cap?.close();
    await client.close();
  }
  printSummary(argv, summary, ledgerLabel);
}
