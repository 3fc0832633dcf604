import type { Campaign } from "../campaign/campaign.js";
import { campaignLedger } from "../campaign/campaign-ledger.js";
import type { ShardSpec } from "../campaign/plan/shard.js";
import { surveyContacts } from "../campaign/plan/survey-contacts.js";
import { idleRunSummary, openCampaignRun, type CampaignRunSession } from "../campaign/run/open-run.js";
import type { RunSummary } from "../campaign/run/run-events.js";
import { assertBinding } from "../ledger/open-ledger.js";
import { credentialsFromEnv, type Credentials } from "../studio/credentials.js";
import { exitCodeFor } from "./exit-code-for.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import { formatSummary, paceLines } from "./render-summary.js";
import type { RunArgs } from "./run-command.js";
import { apiUrlFromArgs, studioUrlFromArgs } from "./shared-options.js";

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== "" ? value.trim() : undefined;
}

/** `run` for real: credentials, client, limiter, signals, the run, its summary and exit code. */
export async function sendCampaign(argv: RunArgs, campaign: Campaign, shard: ShardSpec | undefined): Promise<void> {
  const credentials = credentialsFromEnv();
  const baseUrl = studioUrlFromArgs(argv["studio-url"]);
  const redisUrl = argv.redis ?? campaign.redis ?? nonEmpty(process.env.STUDIO_CAMPAIGN_REDIS_URL);
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl))
    throw new ExitError(ExitCode.usage, "--redis must be a redis:// or rediss:// URL");
  // The ledger locked and read once, under the lock; the run validates every row once, in its
  // own pass (issue 14: one pass, not two).
  const prepare = campaign.followUpOf
    ? async () => {
        const { prepareFollowUp } = await import("./follow-up-prepare.js");
        const urls = { studio: baseUrl, api: apiUrlFromArgs(argv["api-url"]) };
        await prepareFollowUp(campaign, { credentials, urls, note: (line) => process.stderr.write(`${line}\n`) });
      }
    : undefined;
  const session = await openCampaignRun(campaign, { retryFailed: argv["retry-failed"], shard, prepare });
  try {
    await sendLocked({ argv, campaign, shard, credentials, baseUrl, redisUrl, session });
  } finally {
    await session.release();
  }
}

/** A `run` with its ledger locked and read: what the sending part needs to go on. */
export interface LockedRun {
  argv: RunArgs;
  campaign: Campaign;
  shard: ShardSpec | undefined;
  credentials: Credentials;
  baseUrl: string;
  redisUrl: string | undefined;
  session: CampaignRunSession;
}

async function sendLocked(options: LockedRun): Promise<void> {
  const { argv, campaign, shard, credentials, baseUrl, redisUrl, session } = options;
  const startedAt = Date.now();
  const binding = { name: campaign.name, flowSid: campaign.flowSid, from: campaign.from, account: credentials.accountId };
  // A ledger of another campaign is refused before anything goes to the network (exit 2).
  const header = session.loaded.state.header;
  const ledgerLabel = campaignLedger(campaign, shard).label; // a database URL without its password
  if (header) assertBinding(ledgerLabel, header, binding);
  // Contacts and suppression files opened (their errors surface now), records counted.
  const survey = await surveyContacts(campaign, session.loaded);
  for (const line of paceLines(campaign, survey.toSendBySender)) process.stderr.write(`${line}\n`);
  if (!survey.mayCreate) {
    // Nothing to send or settle (a cron rerun with nothing new): no client, no limiter, no
    // preflight — the sending stack is not even loaded — and exit 0 even while Studio is down.
    const summary = idleRunSummary(session.loaded, Date.now() - startedAt);
    printSummary(argv, summary, ledgerLabel);
    return;
  }
  const { sendContacts } = await import("./send-contacts.js"); // undici, Bottleneck: only when something may be sent
  await sendContacts({ argv, campaign, shard, credentials, baseUrl, redisUrl, session, survey, ledgerLabel });
}

/** The run's summary on stdout (`--json`: one object), then its exit code (SPEC §7). */
export function printSummary(argv: RunArgs, summary: RunSummary, ledgerLabel: string): void {
  process.stdout.write(argv.json ? `${JSON.stringify({ ...summary, ledger: ledgerLabel })}\n` : formatSummary(summary, ledgerLabel));
  const code = exitCodeFor(summary);
  if (code !== ExitCode.ok) throw new ExitError(code, "");
}
