import type { Argv } from "yargs";
import { previewCampaign } from "../campaign/preview-campaign.js";
import { runCampaign } from "../campaign/run-campaign.js";
import { StopControl } from "../campaign/run-context.js";
import type { RunSummary } from "../campaign/run-events.js";
import { StudioClient } from "../studio/client.js";
import { createLimiter } from "../throttle/create-limiter.js";
import { exitCodeFor } from "./exit-code-for.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import { ProgressRenderer } from "./progress.js";
import { formatSummary } from "./render-summary.js";
import {
  asExitError,
  campaignFromArgs,
  credentialsOrExit,
  shardFromArgs,
  studioUrlFromArgs,
  withCampaignArgument,
  withCampaignFileOptions,
} from "./shared-options.js";

const REDIS_READY_TIMEOUT_MS = 5_000;

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== "" ? value.trim() : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Per-request budget of the client; also how long an unanswered create may still be in Studio's hands. */
const REQUEST_TIMEOUT_MS = 15_000;

interface RunArgs {
  campaign: string;
  contacts?: string | undefined;
  ledger?: string | undefined;
  shard?: string | undefined;
  "on-conflict"?: string | undefined;
  rate?: number | undefined;
  concurrency?: number | undefined;
  limit?: number | undefined;
  "max-runtime"?: number | undefined;
  "retry-failed": boolean;
  "dry-run": boolean;
  redis?: string | undefined;
  "studio-url"?: string | undefined;
  "request-timeout"?: number | undefined;
  "outage-after"?: number | undefined;
  json: boolean;
}

export const runCommand = {
  command: "run <campaign>",
  describe: "Create an Execution for every pending contact (resumes where the last run stopped)",
  builder: (y: Argv) =>
    withCampaignFileOptions(withCampaignArgument(y))
      .option("on-conflict", { choices: ["skip", "end-and-retry"], describe: "409 policy (default: campaign's, else skip)" })
      .option("rate", { type: "number", describe: "new Executions per second, may be fractional (default: campaign's, else 20)" })
      .option("concurrency", { type: "number", describe: "requests in flight at most (default: campaign's, else 10)" })
      .option("limit", { type: "number", describe: "attempt at most N new contacts this run" })
      .option("max-runtime", { type: "number", describe: "stop dispatching after SEC seconds" })
      .option("retry-failed", { type: "boolean", default: false, describe: "also re-attempt rows that failed with a transient error" })
      .option("dry-run", { type: "boolean", default: false, describe: "everything but the HTTP calls; prints what would be sent" })
      .option("redis", { type: "string", describe: "share the account's rate limit through Redis (env STUDIO_CAMPAIGN_REDIS_URL)" })
      .option("studio-url", { type: "string", describe: "API base URL (env STUDIO_BASE_URL; default https://studio.twilio.com)" })
      .option("request-timeout", { type: "number", hidden: true, describe: "per-request timeout, ms" })
      .option("outage-after", { type: "number", hidden: true, describe: "stop after Studio failed everything this long, s" })
      .option("json", { type: "boolean", default: false, describe: "print the final summary as one JSON object on stdout" }),
  handler: async (argv: RunArgs) => {
    try {
      await run(argv);
    } catch (err) {
      throw asExitError(err);
    }
  },
};

async function run(argv: RunArgs): Promise<void> {
  for (const [flag, value] of [["rate", argv.rate], ["concurrency", argv.concurrency], ["limit", argv.limit], ["max-runtime", argv["max-runtime"]]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new ExitError(ExitCode.usage, `--${flag} must be a positive number, got ${value}`);
  }
  if (argv.concurrency !== undefined && !Number.isInteger(argv.concurrency)) throw new ExitError(ExitCode.usage, "--concurrency must be a whole number");
  const campaign = await campaignFromArgs(argv.campaign, {
    contacts: argv.contacts,
    ledger: argv.ledger,
    onConflict: argv["on-conflict"],
    rate: argv.rate,
    concurrency: argv.concurrency,
  });
  const shard = shardFromArgs(argv.shard);
  if (argv["dry-run"]) return dryRun(argv, campaign, shard);

  const credentials = credentialsOrExit();
  const baseUrl = studioUrlFromArgs(argv["studio-url"]);
  const redisUrl = argv.redis ?? campaign.redis ?? nonEmpty(process.env.STUDIO_CAMPAIGN_REDIS_URL);
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) throw new ExitError(ExitCode.usage, "--redis must be a redis:// or rediss:// URL");
  // A first, read-only pass: every input error surfaces before the ledger is touched, and
  // the progress bar learns its total.
  const preview = await previewCampaign(campaign, { retryFailed: argv["retry-failed"], shard });
  const timeoutMs = argv["request-timeout"] ?? REQUEST_TIMEOUT_MS;
  const client = new StudioClient({ baseUrl, credentials, connections: campaign.rate.concurrency, timeoutMs });
  const limiter = createLimiter({
    perSecond: campaign.rate.perSecond,
    concurrency: campaign.rate.concurrency,
    redis: redisUrl === undefined ? undefined : { url: redisUrl, id: `studio-campaign:${credentials.accountId}`, jobExpirationMs: 2 * timeoutMs + 10_000 },
  });
  try {
    await withTimeout(limiter.ready(), REDIS_READY_TIMEOUT_MS);
  } catch {
    await limiter.close();
    throw new ExitError(ExitCode.tempFail, "the shared rate limiter (Redis) is unreachable: nothing was sent; rerun when it is back");
  }
  const stop = new StopControl();
  const progress = new ProgressRenderer();
  progress.setTotal(argv.limit !== undefined ? Math.min(argv.limit, preview.toSend) + preview.inDoubt : preview.toSend + preview.inDoubt);
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
    });
  } finally {
    progress.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await limiter.close();
    await client.close();
  }
  process.stdout.write(argv.json ? `${JSON.stringify({ ...summary, ledger: campaign.ledgerPath })}\n` : formatSummary(summary, campaign.ledgerPath));
  const code = exitCodeFor(summary);
  if (code !== ExitCode.ok) throw new ExitError(code, "");
}

async function dryRun(argv: RunArgs, campaign: Awaited<ReturnType<typeof campaignFromArgs>>, shard: ReturnType<typeof shardFromArgs>): Promise<void> {
  let shown = 0;
  const preview = await previewCampaign(campaign, {
    retryFailed: argv["retry-failed"],
    shard,
    onEvent: (event) => {
      if (event.type !== "would-send" || argv.json) return;
      if (argv.limit !== undefined && shown >= argv.limit) return;
      shown++;
      process.stdout.write(`would send row ${event.row}: To ${event.to} From ${event.from} Parameters ${JSON.stringify(event.parameters)}\n`);
    },
  });
  const summary: RunSummary = {
    counts: preview.counts,
    thisRun: { created: 0, conflictSkipped: 0, failed: 0, invalid: 0, duplicate: 0, suppressed: 0, requests: 0, rateLimited: 0 },
    stopped: undefined,
    stopMessage: undefined,
    durationMs: 0,
    achievedRate: 0,
    dryRun: true,
  };
  process.stdout.write(argv.json ? `${JSON.stringify({ ...summary, toSend: preview.toSend, inDoubt: preview.inDoubt })}\n` : formatSummary(summary, campaign.ledgerPath));
}
