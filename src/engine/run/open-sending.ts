import type { Clock, StopControl } from "../../clock.js";
import { StudioCampaignError } from "../../errors.js";
import type { FlowFacts } from "../../flow/preflight-verdict.js";
import type { Resources } from "../../resources.js";
import { StudioClient } from "../../studio/client.js";
import type { Credentials } from "../../studio/credentials.js";
import { Reads } from "../../studio/read-retry.js";
import { ServiceHealth } from "../../studio/service-health.js";
import { createLimiter, type AccountLimiter, type CreateLimiterOptions } from "../../throttle/create-limiter.js";
import type { Campaign } from "../../campaign/campaign.js";
import type { ContactsSurvey } from "./survey-contacts.js";
import { readPolicy } from "../../campaign/runtime-defaults.js";
import { capPlanLine, openDailyCap, type DailyCap } from "./daily-cap.js";
import { preflightFlow } from "./preflight.js";

/** What the sending part of a run opens: the client and its reads, the flow's facts, the limiter, the daily cap. */
export interface Sending {
  client: StudioClient;
  reads: Reads;
  flowFacts: FlowFacts | undefined;
  limiter: AccountLimiter;
  cap: DailyCap | undefined;
}

/**
 * What opens the run's client and limiter: by default, from the campaign (`StudioClient`,
 * `createLimiter`); a test gives its own (a faster limiter) and runs everything else as `run` does.
 */
export interface SendingFactories {
  client?: ((options: ConstructorParameters<typeof StudioClient>[0]) => StudioClient) | undefined;
  limiter?: ((options: CreateLimiterOptions) => Promise<AccountLimiter>) | undefined;
}

export interface SendingOptions {
  campaign: Campaign;
  /** Parameters the tool itself sends (a standing campaign's `reminder`): the preflight does not warn about them. */
  toolParameters: readonly string[];
  credentials: Credentials;
  studioUrl: string;
  redisUrl: string | undefined;
  preflight: boolean;
  requestTimeoutMs: number;
  outageAfterMs: number;
  redisReadyTimeoutMs: number;
  clock: Clock;
  stop: StopControl;
  line: (text: string) => void;
  onStart?: ((at: number, sender: string | undefined) => void) | undefined;
  factories?: SendingFactories | undefined;
}

/**
 * Open what a run that may create needs, each closed with `resources`: the client, the flow
 * preflight before the first create (docs/reference.md §10), the limiter (local or shared through Redis,
 * waited for), and the daily cap with its plan line. Redis unreachable is exit 75 with nothing sent.
 */
export async function openSending(options: SendingOptions, survey: ContactsSurvey, resources: Resources): Promise<Sending> {
  const { campaign } = options;
  const client = (options.factories?.client ?? ((o) => new StudioClient(o)))({
    baseUrl: options.studioUrl,
    credentials: options.credentials,
    connections: campaign.rate.concurrency,
    timeoutMs: options.requestTimeoutMs,
  });
  resources.defer(() => client.close());
  const health = new ServiceHealth();
  const policy = readPolicy(campaign, options.outageAfterMs);
  const reads = new Reads({ policy, clock: options.clock, health, signal: options.stop.signal });
  const flowFacts = options.preflight
    ? (
        await preflightFlow({
          client,
          reads,
          flowSid: campaign.flowSid,
          sentKeys: survey.parameterKeys,
          quiet: options.toolParameters,
          columns: survey.columns,
          replyFrom: campaign.replies?.from,
          report: options.line,
        })
      ).verdict.facts
    : undefined;
  const limiter = await openLimiter(options, resources);
  const cap = await openCap(options, survey, resources);
  return { client, reads, flowFacts, limiter, cap };
}

async function openLimiter(options: SendingOptions, resources: Resources): Promise<AccountLimiter> {
  const { campaign, redisUrl } = options;
  const limiter = await (options.factories?.limiter ?? createLimiter)({
    perSecond: campaign.rate.perSecond,
    concurrency: campaign.rate.concurrency,
    perSenderPerSecond: campaign.rate.senderMps === undefined ? undefined : campaign.rate.senderMps / campaign.rate.messagesPerContact,
    redis:
      redisUrl === undefined
        ? undefined
        : { url: redisUrl, id: `studio-campaign:${options.credentials.accountId}`, jobExpirationMs: 2 * options.requestTimeoutMs + 10_000 },
    onStart: options.onStart,
  });
  resources.defer(() => limiter.close());
  await withTimeout(limiter.ready(), options.redisReadyTimeoutMs, "the shared rate limiter (Redis) is unreachable");
  return limiter;
}

async function openCap(options: SendingOptions, survey: ContactsSurvey, resources: Resources): Promise<DailyCap | undefined> {
  const { campaign } = options;
  const cap = await openDailyCap(campaign, { at: options.clock.now(), redisUrl: options.redisUrl });
  if (!cap) return undefined;
  resources.defer(() => cap.close());
  const used = await withTimeout(
    cap.used(options.clock.now()),
    options.redisReadyTimeoutMs,
    "the daily cap's shared count (Redis) is unreachable",
  );
  options.line(capPlanLine(campaign, survey.toSendEstimate, used)!);
  return cap;
}

/** Redis that does not answer in time: nothing was sent, a rerun continues (exit 75). */
async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } catch (err) {
    throw new StudioCampaignError("LIMITER_UNAVAILABLE", `${what}: nothing was sent; rerun when it is back`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}
