import type { Argv } from "yargs";
import { loadCampaign } from "../campaign/load-campaign.js";
import { previewCampaign } from "../campaign/plan/preview-campaign.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import { formatCounts, paceLines } from "./render-summary.js";
import { shardFromArgs, studioUrlFromArgs, withCampaignArgument, withCampaignFileOptions } from "./shared-options.js";
import { preflightFlow } from "../campaign/run/preflight.js";
import type { PreflightVerdict } from "../flow/preflight-verdict.js";
import { credentialsFromEnv } from "../studio/credentials.js";
import { capPlanLine, daysNeeded, ledgerUsedToday } from "../campaign/run/daily-cap.js";
import { refreshFollowUpList } from "../campaign/follow-up/follow-up-list.js";
import { followUpLine } from "./follow-up-line.js";
import type { Campaign } from "../campaign/campaign.js";
import { readPolicy } from "../campaign/runtime-defaults.js";
import { systemClock } from "../clock.js";
import { Reads } from "../studio/read-retry.js";
import { ServiceHealth } from "../studio/service-health.js";

interface ValidateArgs {
  campaign: string;
  contacts?: string | undefined;
  ledger?: string | undefined;
  shard?: string | undefined;
  online: boolean;
  "studio-url"?: string | undefined;
  json: boolean;
}

export const validateCommand = {
  command: "validate <campaign>",
  describe: "Check the campaign and its contacts; send nothing",
  builder: (y: Argv) =>
    withCampaignFileOptions(withCampaignArgument(y))
      .option("online", {
        type: "boolean",
        default: false,
        describe: "also check the Studio Flow (SPEC §10 preflight; needs credentials)",
      })
      .option("studio-url", {
        type: "string",
        describe: "API base URL with --online (env STUDIO_BASE_URL; default https://studio.twilio.com)",
      })
      .option("json", { type: "boolean", default: false, describe: "print the result as JSON" }),
  handler: async (argv: ValidateArgs) => {
    const campaign = await loadCampaign(argv.campaign, { contacts: argv.contacts, ledger: argv.ledger });
    const result = await previewCampaign(campaign, { shard: shardFromArgs(argv.shard) });
    // A follow-up: who qualifies now and who waits (offline: the outcomes as recorded; nothing written).
    const followUp = campaign.followUpOf ? await refreshFollowUpList(campaign, { now: Date.now(), write: false }) : undefined;
    const preflight = argv.online ? await onlinePreflight(argv, campaign, result.parameterKeys) : undefined;
    // The daily cap from the ledger (plain validate reads no Redis: a shared count may be higher).
    const { maxPerDay, messagesPerContact } = campaign.rate;
    const usedToday = maxPerDay === undefined ? 0 : await ledgerUsedToday(campaign, Date.now());
    const cap =
      maxPerDay === undefined
        ? undefined
        : { maxPerDay, usedToday, days: daysNeeded({ maxPerDay, messagesPerContact }, result.toSend, usedToday) };
    if (argv.json) {
      process.stdout.write(
        `${JSON.stringify({ ...result, ...(preflight ? { preflight } : {}), ...(cap ? { cap } : {}), ...(followUp ? { followUp } : {}) })}\n`,
      );
    } else {
      const lines = [
        `Campaign ${campaign.name}: flow ${campaign.flowSid}, from ${campaign.from}, ${campaign.rate.perSecond}/s, on conflict ` +
          `${campaign.onConflict}`,
        ...(followUp ? [followUpLine(campaign, followUp)] : []),
        `Rows: ${formatCounts(result.counts)}`,
        `A run would send ${result.toSend + (followUp?.added ?? 0)} contact(s)` +
          (followUp?.added ? ` (${followUp.added} of them qualify now and are listed by the run)` : "") +
          `${result.inDoubt ? ` and first settle ${result.inDoubt} in doubt` : ""}.`,
        ...paceLines(campaign, result.toSendBySender),
        ...(cap ? [capPlanLine(campaign, result.toSend, cap.usedToday)!] : []),
        ...result.problems.map((p) => `  row ${p.row}: ${p.status}: ${p.reason}`),
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    if (result.counts.invalid > 0) throw new ExitError(ExitCode.rowErrors, "");
  },
};

/**
 * `validate --online`: the flow preflight of `run` (SPEC §10), its lines on stdout. Plain
 * `validate` never gets here: it stays offline and needs no credentials.
 */
async function onlinePreflight(argv: ValidateArgs, campaign: Campaign, parameterKeys: string[]): Promise<PreflightVerdict> {
  const credentials = credentialsFromEnv();
  const baseUrl = studioUrlFromArgs(argv["studio-url"]);
  const { StudioClient } = await import("../studio/client.js"); // undici: only when online
  const client = new StudioClient({ baseUrl, credentials, connections: 2 });
  const reads = new Reads({ policy: readPolicy(campaign), clock: systemClock, health: new ServiceHealth() });
  try {
    return await preflightFlow(client, reads, campaign.flowSid, parameterKeys, (line) => {
      if (!argv.json) process.stdout.write(`${line}\n`);
    });
  } finally {
    await client.close();
  }
}
