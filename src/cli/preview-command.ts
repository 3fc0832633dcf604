import type { Argv } from "yargs";
import { loadCampaign } from "../campaign/load-campaign.js";
import type { PreviewedRow, RowSelection } from "../commands/preview-messages.js";
import { credentialsFromEnv } from "../studio/credentials.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import {
  atFromArgs,
  shardFromArgs,
  studioUrlFromArgs,
  withAtOption,
  withCampaignArgument,
  withCampaignFileOptions,
  type CampaignFileArgs,
} from "./shared-options.js";

interface PreviewArgs extends CampaignFileArgs {
  rows?: string | undefined;
  key?: string | undefined;
  reminder?: string | undefined;
  at?: string | undefined;
  reply?: string[] | undefined;
  "flow-file"?: string | undefined;
  "studio-url"?: string | undefined;
  json: boolean;
}

export const previewCommand = {
  command: "preview <campaign>",
  describe: "Show what chosen contacts would read: each message as the flow would send it; sends nothing",
  builder: (y: Argv) =>
    withAtOption(withCampaignFileOptions(withCampaignArgument(y)))
      .option("rows", { type: "string", describe: "record numbers, e.g. 1,5-7 (default: the first 3 a run would send now)" })
      .option("key", { type: "string", describe: "a standing campaign: the appointment key" })
      .option("reminder", { type: "string", describe: "a standing campaign: the reminder's name" })
      .option("reply", { type: "string", array: true, describe: "WIDGET=TEXT: the reply a Send & Wait For Reply widget gets (repeatable)" })
      .option("flow-file", { type: "string", describe: "read the flow from this file (a definition or Flow JSON), offline" })
      .option("studio-url", { type: "string", describe: "API base URL (env STUDIO_BASE_URL; default https://studio.twilio.com)" })
      .option("json", { type: "boolean", default: false, describe: "one JSON object per row" }),
  handler: async (argv: PreviewArgs) => {
    const at = atFromArgs(argv.at);
    const selection: RowSelection = { rows: rowsFromArgs(argv.rows), key: argv.key, reminder: argv.reminder };
    const replies = repliesFromArgs(argv.reply ?? []);
    const campaign = await loadCampaign(argv.campaign, { contacts: argv.contacts, ledger: argv.ledger });
    const { readPreviewFlow } = await import("../commands/preview-flow.js");
    const { previewMessages } = await import("../commands/preview-messages.js");
    const flow = await readPreviewFlow(
      campaign,
      argv["flow-file"] !== undefined
        ? { file: argv["flow-file"] }
        : { credentials: credentialsFromEnv(), studioUrl: studioUrlFromArgs(argv["studio-url"]) },
    );
    const rows = await previewMessages(campaign, { selection, now: at ?? Date.now(), shard: shardFromArgs(argv.shard), replies, flow });
    process.stdout.write(argv.json ? rows.map((r) => `${JSON.stringify(r)}\n`).join("") : previewText(rows));
  },
};

/** `1,5-7` → {1, 5, 6, 7}. */
export function rowsFromArgs(text: string | undefined): Set<number> | undefined {
  if (text === undefined) return undefined;
  const rows = new Set<number>();
  for (const part of text.split(",")) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const from = Number(match?.[1]);
    const to = match?.[2] === undefined ? from : Number(match[2]);
    if (!match || from < 1 || to < from || to - from > 10_000)
      throw new ExitError(ExitCode.usage, `--rows must be record numbers and ranges such as 1,5-7, got ${JSON.stringify(text)}`);
    for (let row = from; row <= to; row++) rows.add(row);
  }
  return rows;
}

function repliesFromArgs(pairs: readonly string[]): Map<string, string> {
  const replies = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new ExitError(ExitCode.usage, `--reply must be WIDGET=TEXT, got ${JSON.stringify(pair)}`);
    replies.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return replies;
}

/** The rows as people read them: the Parameters, each message with its count and warnings, where it waits. */
export function previewText(rows: readonly PreviewedRow[]): string {
  if (rows.length === 0) return "Nothing a run would send now (choose rows with --rows, or a time with --at).\n";
  const lines: string[] = [];
  for (const r of rows) {
    const which = r.key !== undefined ? ` — appointment ${r.key}, reminder ${r.reminder}` : "";
    const plan = r.plan === "send" ? "a run now would send it" : `a run now would not send it: ${r.plan.replaceAll("_", " ")}`;
    lines.push(`Row ${r.row}${which}: To ${r.to} From ${r.from} (${plan})`, `  Parameters ${JSON.stringify(r.parameters)}`);
    r.messages.forEach((m, i) => {
      lines.push(
        `  ${i + 1}. ${m.widget} — ${m.length} characters, ${m.encoding}, ${m.segments} segment${m.segments === 1 ? "" : "s"}`,
        ...m.body.split("\n").map((line) => `     │ ${line}`),
        ...m.warnings.map((w) => `     warning: ${w}`),
      );
    });
    if (r.stoppedAt) {
      lines.push(`  Waits at ${r.stoppedAt.widget} for a reply (follow one with --reply ${r.stoppedAt.widget}=TEXT):`);
      for (const b of r.stoppedAt.branches) lines.push(`     ${b.when} → ${b.next ?? "the Execution ends"}`);
    }
    lines.push("");
  }
  return `${lines.join("\n")}`;
}
