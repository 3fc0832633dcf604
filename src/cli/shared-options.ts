import type { Argv } from "yargs";
import { parseShard, type ShardSpec } from "../campaign/plan/shard.js";
import { DEFAULT_API_URL, DEFAULT_STUDIO_URL, parseBaseUrl } from "../studio/base-url.js";
import { ExitCode, ExitError } from "./exit-codes.js";

export const withCampaignArgument = <T>(y: Argv<T>) =>
  y.positional("campaign", { type: "string", demandOption: true, describe: "the campaign file (JSON)" });

export const withCampaignFileOptions = <T>(y: Argv<T>) =>
  y
    .option("contacts", { type: "string", describe: "contacts CSV (default: the campaign's contacts)" })
    .option("ledger", {
      type: "string",
      describe: "ledger path, or postgres://USER@HOST:PORT/DB (default: <campaign dir>/<name>.ledger.jsonl)",
    })
    .option("shard", { type: "string", describe: "only contacts whose key hashes into shard K of N, as K/N" });

/** `status` and `end`: which ledger, which API. */
export const withLedgerSessionOptions = <T>(y: Argv<T>) =>
  withCampaignArgument(y)
    .option("ledger", { type: "string", describe: "ledger path, or postgres://USER@HOST:PORT/DB (default: the campaign's)" })
    .option("studio-url", { type: "string", describe: "API base URL (env STUDIO_BASE_URL; default https://studio.twilio.com)" })
    .option("json", { type: "boolean", default: false, describe: "print the result as JSON" });

export function shardFromArgs(text: string | undefined): ShardSpec | undefined {
  if (text === undefined) return undefined;
  const shard = parseShard(text);
  if (!shard) throw new ExitError(ExitCode.usage, `--shard must be K/N with 1 ≤ K ≤ N, got ${JSON.stringify(text)}`);
  return shard;
}

/** Programmable Messaging's base URL (SPEC §12): `--api-url`, env `TWILIO_API_BASE_URL`, default https://api.twilio.com. */
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
