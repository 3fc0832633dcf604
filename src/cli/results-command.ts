import type { Argv } from "yargs";
import { loadCampaign } from "../campaign/load-campaign.js";
import { resultsColumns, type ResultsColumn } from "../flow/results-columns.js";
import { replyWidget } from "../flow/contact-reply.js";
import type { ReplySummary } from "../flow/reply-summary.js";
import type { ResultsSummary } from "../engine/results/collect-results.js";
import { credentialsFromEnv } from "../studio/credentials.js";
import { RUNTIME_DEFAULTS } from "../campaign/runtime-defaults.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import { executionsOptions, stoppedExit, withLedgerSessionOptions } from "./shared-options.js";
import { percent } from "./render-summary.js";

interface ResultsArgs {
  campaign: string;
  ledger?: string | undefined;
  "studio-url"?: string | undefined;
  "api-url"?: string | undefined;
  "include-active": boolean;
  json: boolean;
}

export const resultsCommand = {
  command: "results <campaign>",
  describe: "Collect what contacts answered (Execution Context) into the ledger, for the report",
  builder: (y: Argv) =>
    withLedgerSessionOptions(y)
      .option("include-active", {
        type: "boolean",
        default: false,
        describe: "also read Executions still active (provisional: read again once ended)",
      })
      .option("api-url", {
        type: "string",
        describe:
          "Programmable Messaging base URL, for failed messages' error codes (env TWILIO_API_BASE_URL; default https://api.twilio.com)",
      }),
  handler: async (argv: ResultsArgs) => {
    const campaign = await loadCampaign(argv.campaign, { ledger: argv.ledger });
    const credentials = credentialsFromEnv();
    // undici: only when needed
    const { openExecutionsSession } = await import("../engine/results/executions-session.js");
    const { collectResults } = await import("../engine/results/collect-results.js");
    await using session = await openExecutionsSession(executionsOptions(campaign, credentials, argv));
    const columns = resultsColumns(campaign.results, session.questions);
    // A flow without questions (a reminder) still has outcomes: sent, undelivered, opted out.
    if (columns.length === 0 && session.questions === undefined)
      process.stderr.write(
        `${argv.campaign}: no results columns (no "results" map, and no run with the preflight on has read the flow's ` +
          `questions): collecting outcomes only\n`,
      );
    let lastProgress = 0;
    const summary = await collectResults(session, {
      columns,
      includeActive: argv["include-active"],
      accountSid: credentials.accountId,
      onProgress: (done, total) => {
        if (argv.json || total === 0 || (done !== total && Date.now() - lastProgress < RUNTIME_DEFAULTS.progressEveryMs)) return;
        lastProgress = Date.now();
        process.stderr.write(`${new Date().toISOString()} results: ${done}/${total} Executions read\n`);
      },
    });
    const label = repliesLabel(campaign.replies?.from, columns);
    process.stdout.write(argv.json ? `${JSON.stringify(summary)}\n` : formatResults(campaign.name, summary, label));
    stoppedExit(session.stop, "results");
    if (summary.failed.length > 0)
      throw new ExitError(ExitCode.tempFail, `${summary.failed.length} Execution(s) could not be read now: run \`results\` again`);
  },
};

/** What the replies line is called: the results column that reads the reply, else its widget (`confirm`). */
function repliesLabel(from: string | undefined, columns: readonly ResultsColumn[]): string {
  if (from === undefined) return "replies";
  return columns.find((c) => c.path === from)?.name ?? replyWidget(from) ?? "replies";
}

/** `confirm: 61 replied — 40 confirmed, 9 cancel, 4 reschedule, 8 unrecognized (5 late)` (docs/reference.md §19). */
export function formatReplies(label: string, replies: ReplySummary): string {
  const shown = replies.counts.filter((c) => c.count > 0).map((c) => `${c.count} ${c.intent}`);
  return `  ${label}: ${replies.replied} replied${shown.length > 0 ? ` — ${shown.join(", ")}` : ""} (${replies.late} late)`;
}

export function formatResults(name: string, s: ResultsSummary, repliesLabelText = "replies"): string {
  const lines = [
    `Results of ${name}: ${s.status.active} active, ${s.status.ended} ended, ${s.status.unknown} unknown; ` +
      `${s.collected} Execution(s) read now (${s.contextRequests} Context, ${s.stepsRequests} Steps, ${s.messageRequests} Message ` +
      `requests), ${s.alreadyFinal} already final, ${s.gone} gone (past Studio's 30 days), ${s.failed.length} failed`,
  ];
  if (s.outcomes.total > 0) {
    const shown = s.outcomes.counts.filter((c) => c.count > 0);
    lines.push(`  outcomes: ${shown.map((c) => `${c.outcome} ${c.count} (${percent(c.share)})`).join(", ")}`);
    for (const error of s.outcomes.errors) lines.push(`    error ${error.code ?? "(none)"}: ${error.count} — ${error.meaning}`);
  }
  if (s.optOutsAdded + s.optInsAdded > 0)
    lines.push(`  opt-out list: ${s.optOutsAdded} opt-out(s) and ${s.optInsAdded} opt-in(s) added; opt-outs are not counted as answers`);
  for (const column of s.columns) {
    const rate = column.asked > 0 ? ` (${percent(column.responseRate)})` : "";
    const top = column.top.map((t) => `${JSON.stringify(t.answer)} ${t.count}`).join(", ");
    lines.push(`  ${column.column}: asked ${column.asked}, answered ${column.answered}${rate}${top ? `; most frequent: ${top}` : ""}`);
  }
  if (s.replies) lines.push(formatReplies(repliesLabelText, s.replies));
  if (s.lateLookups > 0)
    lines.push(
      `  late replies: ${s.lateLookups} Execution(s) looked up (${s.messageListRequests} Messages requests), ${s.lateFound} found`,
    );
  return `${lines.join("\n")}\n`;
}
