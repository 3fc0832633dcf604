import path from "node:path";
import type { Argv } from "yargs";
import { loadCampaign } from "../campaign/load-campaign.js";
import { StopControl } from "../clock.js";
import { stopOnSignals } from "../stop-on-signals.js";
import type { ConfirmationsResult, ConfirmationsTarget } from "../commands/confirmations.js";
import { webhookSecret, webhookUrl } from "../commands/webhook-delivery.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import { signalHandling } from "./shared-options.js";
import { VERSION } from "./version.js";

interface ConfirmationsArgs {
  campaign: string;
  out?: string | undefined;
  webhook?: string | undefined;
  new: boolean;
  format: "csv" | "jsonl";
  ledger?: string | undefined;
  json: boolean;
}

export const confirmationsCommand = {
  command: "confirmations <campaign>",
  describe: "Hand the contacts' replies (one record per appointment) to the booking system: a file, or a signed webhook",
  builder: (y: Argv) =>
    y
      .positional("campaign", { type: "string", demandOption: true, describe: "campaign file (JSON)" })
      .option("out", { type: "string", describe: "write the records to FILE (complete or not at all)" })
      .option("webhook", {
        type: "string",
        describe:
          "POST each record to URL, signed with env STUDIO_CAMPAIGN_WEBHOOK_SECRET (https://, or http:// on loopback); implies --new",
      })
      .option("new", { type: "boolean", default: false, describe: "only records not handed over before (a cursor in the ledger)" })
      .option("format", { choices: ["csv", "jsonl"] as const, default: "csv" as const, describe: "the file's format" })
      .option("ledger", { type: "string", describe: "ledger path, or postgres://USER@HOST:PORT/DB (default: the campaign's)" })
      .option("json", { type: "boolean", default: false, describe: "print the result as JSON" })
      .conflicts("out", "webhook")
      .check((argv) => {
        if (argv.out === undefined && argv.webhook === undefined) throw new Error("name where the records go: --out FILE or --webhook URL");
        return true;
      }),
  handler: async (argv: ConfirmationsArgs) => {
    const campaign = await loadCampaign(argv.campaign, { ledger: argv.ledger });
    // Checked before anything is read or sent: a bad URL or a missing secret is exit 2, nothing sent.
    const target: ConfirmationsTarget =
      argv.webhook !== undefined
        ? { kind: "webhook", url: webhookUrl(argv.webhook), secret: webhookSecret(), userAgent: `studio-campaign/${VERSION}` }
        : { kind: "file", path: path.resolve(argv.out!), format: argv.format };
    const { handConfirmations } = await import("../commands/confirmations.js");
    const stop = new StopControl();
    const release = stopOnSignals(
      stop,
      signalHandling((message) => process.stderr.write(`studio-campaign: stopping: ${message}; the next run continues\n`)),
    );
    let result: ConfirmationsResult;
    try {
      result = await handConfirmations({ campaign, target, onlyNew: argv.new || target.kind === "webhook", stop });
    } finally {
      release();
    }
    process.stdout.write(argv.json ? `${JSON.stringify(result)}\n` : formatConfirmations(campaign.name, target, result));
    if (result.rejected.length > 0)
      throw new ExitError(ExitCode.rowErrors, `${result.rejected.length} record(s) rejected by the receiver: see the list above`);
    if (result.left.length > 0)
      throw new ExitError(ExitCode.tempFail, `${result.left.length} record(s) not acknowledged: run \`confirmations\` again`);
  },
};

/** What the operator reads: how many, where, and each record refused or left. The URL without its query; never the secret. */
export function formatConfirmations(name: string, target: ConfirmationsTarget, r: ConfirmationsResult): string {
  const where = target.kind === "file" ? target.path : `${target.url.origin}${target.url.pathname}`;
  const verb = target.kind === "file" ? "written to" : "acknowledged by";
  const lines = [`Confirmations of ${name}: ${r.records} record(s) with a reply, ${r.selected} to hand over; ${r.handed} ${verb} ${where}`];
  for (const x of r.rejected) lines.push(`  rejected (HTTP ${x.http}): ${x.key}${x.appointment_at ? ` ${x.appointment_at}` : ""}`);
  for (const x of r.left) lines.push(`  left for the next run: ${x.key}${x.appointment_at ? ` ${x.appointment_at}` : ""} (${x.reason})`);
  return `${lines.join("\n")}\n`;
}
