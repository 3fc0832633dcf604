import type { Argv } from "yargs";
import { loadCampaign } from "../campaign/load-campaign.js";
import { validateCampaign, type ValidateResult } from "../commands/validate-campaign.js";
import type { Campaign } from "../campaign/campaign.js";
import { capPlanLine } from "../engine/run/daily-cap.js";
import { credentialsFromEnv } from "../studio/credentials.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import { followUpLine } from "./follow-up-line.js";
import { formatCounts, paceLines, rereadLine, scheduleViewLines } from "./render-summary.js";
import {
  atFromArgs,
  shardFromArgs,
  studioUrlFromArgs,
  withAtOption,
  withCampaignArgument,
  withCampaignFileOptions,
  type CampaignFileArgs,
} from "./shared-options.js";

interface ValidateArgs extends CampaignFileArgs {
  online: boolean;
  at?: string | undefined;
  "studio-url"?: string | undefined;
  json: boolean;
}

export const validateCommand = {
  command: "validate <campaign>",
  describe: "Check the campaign and its contacts; send nothing",
  builder: (y: Argv) =>
    withAtOption(withCampaignFileOptions(withCampaignArgument(y)))
      .option("online", {
        type: "boolean",
        default: false,
        describe: "also check the Studio Flow (the run's preflight; needs credentials)",
      })
      .option("studio-url", {
        type: "string",
        describe: "API base URL with --online (env STUDIO_BASE_URL; default https://studio.twilio.com)",
      })
      .option("json", { type: "boolean", default: false, describe: "print the result as JSON" }),
  handler: async (argv: ValidateArgs) => {
    const at = atFromArgs(argv.at);
    const campaign = await loadCampaign(argv.campaign, { contacts: argv.contacts, ledger: argv.ledger });
    const online = argv.online
      ? {
          credentials: credentialsFromEnv(),
          studioUrl: studioUrlFromArgs(argv["studio-url"]),
          report: (line: string) => (argv.json ? undefined : void process.stdout.write(`${line}\n`)),
        }
      : undefined;
    const result = await validateCampaign(campaign, { shard: shardFromArgs(argv.shard), now: at ?? Date.now(), online });
    process.stdout.write(argv.json ? `${JSON.stringify(result)}\n` : `${validateLines(campaign, result).join("\n")}\n`);
    // The exit code a run now would give for its rows (docs/reference.md §7): invalid rows it would report as its own.
    if (result.rowErrors > 0) throw new ExitError(ExitCode.rowErrors, "");
  },
};

function validateLines(campaign: Campaign, result: ValidateResult): string[] {
  const { followUp, cap } = result;
  const listed = followUp?.added ? ` (${followUp.added} of them qualify now and are listed by the run)` : "";
  return [
    `Campaign ${campaign.name}: flow ${campaign.flowSid}, from ${campaign.from}, ${campaign.rate.perSecond}/s, on conflict ${campaign.onConflict}`,
    ...(followUp ? [followUpLine(campaign, followUp)] : []),
    `Rows: ${formatCounts(result.counts)}`,
    `A run now would send ${result.toSend + (followUp?.added ?? 0)} ${result.schedule ? "reminder(s)" : "contact(s)"}${listed}` +
      `${result.inDoubt ? ` and first settle ${result.inDoubt} in doubt` : ""}.`,
    ...(result.held > 0 ? [`Held now: ${result.held} — ${result.holds.map((h) => h.message).join("; ")}`] : []),
    ...(result.schedule ? scheduleViewLines(result.schedule) : []),
    ...(result.reread > 0 ? [rereadLine(result.reread)] : []),
    ...paceLines(campaign, result.toSendBySender, result.schedule ? "reminder" : "contact"),
    ...(cap ? [capPlanLine(campaign, result.toSend + result.held, cap.usedToday)!] : []),
    ...segmentLines(campaign, result.segments),
    ...result.problems.map((p) => `  row ${p.row}: ${p.status}: ${p.reason}`),
  ];
}

/** `--online`: what the first contacts' messages take, against what pace and cap count (docs/reference.md §18). */
function segmentLines(campaign: Campaign, segments: ValidateResult["segments"]): string[] {
  if (!segments) return [];
  const { messagesPerContact } = campaign.rate;
  const lines = [
    `Segments: up to ${segments.most} a contact (the first ${segments.previewed} previewed, to the flow's first wait for a reply)`,
  ];
  if (segments.most > messagesPerContact)
    lines.push(
      `warning: a contact's messages take ${segments.most} segments but rate.messagesPerContact is ${messagesPerContact}: the sender's ` +
        `pace (senderMps) and the daily cap count ${messagesPerContact} a contact; set rate.messagesPerContact to ${segments.most}`,
    );
  return lines;
}
