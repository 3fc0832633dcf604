import { envValue } from "../env.js";
import { once } from "node:events";
import { loadCampaign } from "../campaign/load-campaign.js";
import type { Argv } from "yargs";
import { campaignLedger } from "../campaign/campaign-ledger.js";
import type { RunSummary } from "../engine/run/run-events.js";
import { emptyThisRun } from "../engine/run/run-tally.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import { formatSummary, rereadLine, scheduleViewLines } from "./render-summary.js";
import type { PreviewResult } from "../commands/preview-campaign.js";
import {
  apiUrlFromArgs,
  atFromArgs,
  signalHandling,
  shardFromArgs,
  studioUrlFromArgs,
  withCampaignArgument,
  withAtOption,
  withCampaignFileOptions,
} from "./shared-options.js";
import { StopControl } from "../clock.js";
import { credentialsFromEnv } from "../studio/credentials.js";
import { isDebugging } from "./debug.js";
import { exitCodeFor } from "./exit-code-for.js";
import { ProgressRenderer } from "./progress.js";

export interface RunArgs {
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
  "accept-cancel": boolean;
  "dry-run": boolean;
  preflight: boolean;
  redis?: string | undefined;
  "studio-url"?: string | undefined;
  "api-url"?: string | undefined;
  "request-timeout"?: number | undefined;
  "outage-after"?: number | undefined;
  "redis-timeout"?: number | undefined;
  at?: string | undefined;
  json: boolean;
}

export const runCommand = {
  command: "run <campaign>",
  describe: "Create an Execution for every pending contact (resumes where the last run stopped)",
  builder: (y: Argv) =>
    withAtOption(withCampaignFileOptions(withCampaignArgument(y)))
      .option("on-conflict", {
        choices: ["skip", "end-and-retry", "wait"],
        describe: "409 policy (default: campaign's, else skip; wait, the default with a schedule, only with one)",
      })
      .option("rate", { type: "number", describe: "new Executions per second, may be fractional (default: campaign's, else 20)" })
      .option("concurrency", { type: "number", describe: "requests in flight at most (default: campaign's, else 10)" })
      .option("limit", { type: "number", describe: "attempt at most N new contacts this run" })
      .option("max-runtime", { type: "number", describe: "stop dispatching after SEC seconds" })
      .option("retry-failed", { type: "boolean", default: false, describe: "also re-attempt rows that failed with a transient error" })
      .option("accept-cancel", {
        type: "boolean",
        default: false,
        describe: "a standing campaign: cancel the appointments an export lost even past schedule.maxCancel",
      })
      .option("dry-run", { type: "boolean", default: false, describe: "everything but the HTTP calls; prints what would be sent" })
      .option("preflight", {
        type: "boolean",
        default: true,
        describe: "check the Studio Flow before the first create (--no-preflight skips it)",
      })
      .option("redis", { type: "string", describe: "share the account's rate limit through Redis (env STUDIO_CAMPAIGN_REDIS_URL)" })
      .option("studio-url", { type: "string", describe: "API base URL (env STUDIO_BASE_URL; default https://studio.twilio.com)" })
      .option("api-url", {
        type: "string",
        describe:
          "a follow-up's source outcomes: Programmable Messaging base URL (env TWILIO_API_BASE_URL; default https://api.twilio.com)",
      })
      .option("request-timeout", { type: "number", hidden: true, describe: "per-request timeout, ms" })
      .option("outage-after", { type: "number", hidden: true, describe: "stop after Studio failed everything this long, s" })
      .option("redis-timeout", { type: "number", hidden: true, describe: "how long to wait for Redis at the start, ms" })
      .option("json", { type: "boolean", default: false, describe: "print the final summary as one JSON object on stdout" }),
  handler: async (argv: RunArgs) => {
    await run(argv);
  },
};

async function run(argv: RunArgs): Promise<void> {
  for (const [flag, value] of [
    ["rate", argv.rate],
    ["concurrency", argv.concurrency],
    ["limit", argv.limit],
    ["max-runtime", argv["max-runtime"]],
  ] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      throw new ExitError(ExitCode.usage, `--${flag} must be a positive number, got ${value}`);
  }
  if (argv.concurrency !== undefined && !Number.isInteger(argv.concurrency))
    throw new ExitError(ExitCode.usage, "--concurrency must be a whole number");
  // What if: only a dry run can be imagined at another time; a real run creates Executions now.
  const at = atFromArgs(argv.at);
  if (at !== undefined && !argv["dry-run"])
    throw new ExitError(ExitCode.usage, "--at plans as a run at T would and creates nothing: use it with --dry-run");
  const campaign = await loadCampaign(argv.campaign, {
    contacts: argv.contacts,
    ledger: argv.ledger,
    onConflict: argv["on-conflict"],
    rate: argv.rate,
    concurrency: argv.concurrency,
  });
  const shard = shardFromArgs(argv.shard);
  const redisUrl = argv.redis ?? campaign.redis ?? envValue(process.env, "STUDIO_CAMPAIGN_REDIS_URL");
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl))
    throw new ExitError(ExitCode.usage, "--redis must be a redis:// or rediss:// URL");
  if (argv["dry-run"]) return dryRun(argv, campaign, { shard, redisUrl, now: at ?? Date.now() });

  const credentials = credentialsFromEnv();
  const urls = { studio: studioUrlFromArgs(argv["studio-url"]), api: apiUrlFromArgs(argv["api-url"]) };
  // The sending machinery (undici, Bottleneck, ioredis) loads only for a real run: validate
  // and --dry-run over a million rows stay light.
  const { sendCampaign } = await import("../engine/run/send-campaign.js");
  using progress = new ProgressRenderer(campaign);
  const summary = await sendCampaign({
    campaign,
    shard,
    credentials,
    urls,
    redisUrl,
    limit: argv.limit,
    maxRuntimeMs: argv["max-runtime"] !== undefined ? argv["max-runtime"] * 1000 : undefined,
    retryFailed: argv["retry-failed"],
    acceptCancel: argv["accept-cancel"],
    preflight: argv.preflight,
    requestTimeoutMs: argv["request-timeout"],
    outageAfterMs: argv["outage-after"] !== undefined ? argv["outage-after"] * 1000 : undefined,
    redisReadyTimeoutMs: argv["redis-timeout"],
    stop: new StopControl(),
    signals: signalHandling((message) => progress.onEvent({ type: "stopping", reason: "signal", message })),
    onEvent: progress.onEvent,
    onStart: isDebugging("studio-campaign:starts")
      ? (at, sender) => process.stderr.write(`studio-campaign:starts ${at} ${sender ?? campaign.from}\n`)
      : undefined,
  });
  progress.stop();
  printSummary(argv, summary, campaignLedger(campaign, shard).label);
}

/** The run's summary on stdout (`--json`: one object), then its exit code (docs/reference.md §7). */
function printSummary(argv: RunArgs, summary: RunSummary, ledgerLabel: string): void {
  process.stdout.write(argv.json ? `${JSON.stringify({ ...summary, ledger: ledgerLabel })}\n` : formatSummary(summary, ledgerLabel));
  const code = exitCodeFor(summary);
  if (code !== ExitCode.ok) throw new ExitError(code, "");
}

async function dryRun(
  argv: RunArgs,
  campaign: Awaited<ReturnType<typeof loadCampaign>>,
  { shard, redisUrl, now }: { shard: ReturnType<typeof shardFromArgs>; redisUrl: string | undefined; now: number },
): Promise<void> {
  if (campaign.followUpOf) {
    // Offline: the source's outcomes as recorded; the list is not written.
    const { refreshFollowUpList } = await import("../engine/follow-up/follow-up-list.js");
    const { followUpLine } = await import("./follow-up-line.js");
    process.stderr.write(`${followUpLine(campaign, await refreshFollowUpList(campaign, { now, write: false }))}\n`);
  }
  const { previewCampaign } = await import("../commands/preview-campaign.js"); // the number parser: only for a dry run
  const preview = await previewCampaign(campaign, {
    retryFailed: argv["retry-failed"],
    acceptCancel: argv["accept-cancel"],
    shard,
    now,
    limit: argv.limit,
    redisUrl,
    onEvent: async (event) => {
      if (event.type !== "would-send" || argv.json) return;
      const line = `would send row ${event.row}: To ${event.to} From ${event.from} Parameters ${JSON.stringify(event.parameters)}\n`;
      // A million lines into a pipe: wait for it to drain rather than buffer them all.
      if (!process.stdout.write(line)) await once(process.stdout, "drain");
    },
  });
  const summary: RunSummary = {
    counts: preview.counts,
    thisRun: emptyThisRun(),
    stopped: undefined,
    stopMessage: undefined,
    durationMs: 0,
    achievedRate: 0,
    dryRun: true,
  };
  const { toSend, inDoubt, held, holds, schedule } = preview;
  process.stdout.write(
    argv.json
      ? `${JSON.stringify({ ...summary, toSend, inDoubt, held, holds, ...(schedule ? { schedule, reread: preview.reread } : {}) })}\n`
      : formatSummary(summary, campaignLedger(campaign).label, schedule ? "reminder" : "contact") + dryRunLines(preview),
  );
}

/** What a dry run adds to the summary: how many a run now would send, settle first, and hold — and why, and until when. */
function dryRunLines(preview: PreviewResult): string {
  const lines = [`Would send: ${preview.toSend} now${preview.inDoubt > 0 ? `, after settling ${preview.inDoubt} in doubt` : ""}`];
  if (preview.held > 0) lines.push(`Held:      ${preview.held} — ${preview.holds.map((h) => h.message).join("; ")}`);
  if (preview.schedule) lines.push(...scheduleViewLines(preview.schedule));
  if (preview.reread > 0) lines.push(rereadLine(preview.reread));
  return `${lines.join("\n")}\n`;
}
