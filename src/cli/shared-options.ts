import type { Argv } from "yargs";
import { parseShard, type ShardSpec } from "../contacts/shard.js";
import { DEFAULT_API_URL, DEFAULT_STUDIO_URL, parseBaseUrl } from "../studio/base-url.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import type { Campaign } from "../campaign/campaign.js";
import type { ExecutionsOptions } from "../engine/results/executions-session.js";
import type { StopControl } from "../clock.js";
import type { SignalHandling } from "../stop-on-signals.js";
import type { Credentials } from "../studio/credentials.js";
import { parseDateTime } from "../contacts/deadline.js";

export const withCampaignArgument = <T>(y: Argv<T>) =>
  y.positional("campaign", { type: "string", demandOption: true, describe: "the campaign file (JSON)" });

/** What `withCampaignArgument` and `withCampaignFileOptions` give a command's argv. */
export interface CampaignFileArgs {
  campaign: string;
  contacts?: string | undefined;
  ledger?: string | undefined;
  shard?: string | undefined;
}

export const withCampaignFileOptions = <T>(y: Argv<T>) =>
  y
    .option("contacts", { type: "string", describe: "contacts CSV (default: the campaign's contacts)" })
    .option("ledger", {
      type: "string",
      describe: "ledger path, or postgres://USER@HOST:PORT/DB (default: <campaign dir>/<name>.ledger.jsonl)",
    })
    .option("shard", { type: "string", describe: "only contacts whose key hashes into shard K of N, as K/N" });

/** `--at T`: plan as a run at T would (`validate`, `run --dry-run`, `preview`). */
export const withAtOption = <T>(y: Argv<T>) =>
  y.option("at", {
    type: "string",
    describe: "plan as a run at T would (ISO 8601 with an offset); creates nothing",
  });

/** `status` and `end`: which ledger, which API. */
export const withLedgerSessionOptions = <T>(y: Argv<T>) =>
  withCampaignArgument(y)
    .option("ledger", { type: "string", describe: "ledger path, or postgres://USER@HOST:PORT/DB (default: the campaign's)" })
    .option("studio-url", { type: "string", describe: "API base URL (env STUDIO_BASE_URL; default https://studio.twilio.com)" })
    .option("json", { type: "boolean", default: false, describe: "print the result as JSON" })
    .option("outage-after", { type: "number", hidden: true, describe: "stop after Studio failed everything this long, s" });

export function shardFromArgs(text: string | undefined): ShardSpec | undefined {
  if (text === undefined) return undefined;
  const shard = parseShard(text);
  if (!shard) throw new ExitError(ExitCode.usage, `--shard must be K/N with 1 ≤ K ≤ N, got ${JSON.stringify(text)}`);
  return shard;
}

/** `--at T` (docs/reference.md §17 "What if"): an ISO 8601 date-time with its offset, as an instant; a time without one is refused (whose zone?). */
export function atFromArgs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = parseDateTime(text);
  if ("error" in parsed || parsed.offsetMs === undefined)
    throw new ExitError(
      ExitCode.usage,
      `--at must be an ISO 8601 date-time with an offset (e.g. 2026-12-04T18:00:00-08:00 or 2026-12-05T02:00Z), got ${JSON.stringify(text)}`,
    );
  return parsed.wall - parsed.offsetMs;
}

/** Programmable Messaging's base URL (docs/reference.md §12): `--api-url`, env `TWILIO_API_BASE_URL`, default https://api.twilio.com. */
export function apiUrlFromArgs(flag: string | undefined): string {
  const url = flag ?? process.env.TWILIO_API_BASE_URL ?? DEFAULT_API_URL;
  parseBaseUrl(url);
  return url;
}

export function studioUrlFromArgs(flag: string | undefined): string {
  const url = flag ?? process.env.STUDIO_BASE_URL ?? DEFAULT_STUDIO_URL;
  parseBaseUrl(url);
  return url;
}

/** SIGINT/SIGTERM for a command: the first stops it (`onStop` tells), a second exits 75 at once. */
export function signalHandling(onStop: (message: string) => void): SignalHandling {
  return {
    signals: process,
    onStop,
    onSecond: (signal) => {
      // Leave now: every attempt line is already on disk before its request, every record before its reply is dropped.
      process.stderr.write(`studio-campaign: second ${signal}: exiting at once\n`);
      process.exit(ExitCode.tempFail);
    },
  };
}

/**
 * `status`, `end` and `results`: the session's options from argv — Studio's and Messaging's URLs,
 * SIGINT/SIGTERM as a stop (every wait between reads ends at once), and each retried read noted
 * on stderr.
 */
export function executionsOptions(
  campaign: Campaign,
  credentials: Credentials,
  argv: { "studio-url"?: string | undefined; "api-url"?: string | undefined; "outage-after"?: number | undefined; json: boolean },
): ExecutionsOptions {
  const notify = (message: string) => process.stderr.write(`studio-campaign: stopping: ${message}; the next run continues\n`);
  return {
    campaign,
    credentials,
    urls: { studio: studioUrlFromArgs(argv["studio-url"]), api: apiUrlFromArgs(argv["api-url"]) },
    signals: signalHandling(notify),
    outageAfterMs: argv["outage-after"] !== undefined ? argv["outage-after"] * 1000 : undefined,
    onRetry: argv.json
      ? undefined
      : (what, error, ms) => process.stderr.write(`retrying a ${what} read in ${Math.round(ms)} ms: ${String(error)}\n`),
  };
}

/** A command stopped before it was done (a signal, an outage): exit 75, the next one continues. */
export function stoppedExit(stop: StopControl, command: string): void {
  if (stop.stopped)
    throw new ExitError(ExitCode.tempFail, `${stop.message ?? stop.reason}: stopped before it was done; run \`${command}\` again`);
}
