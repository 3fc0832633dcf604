import { createInterface } from "node:readline/promises";
import { loadCampaign } from "../campaign/load-campaign.js";
import { credentialsFromEnv } from "../studio/credentials.js";
import type { Argv } from "yargs";
import { ExitCode, ExitError } from "./exit-codes.js";
import { executionsOptions, stoppedExit, withLedgerSessionOptions } from "./shared-options.js";

interface EndArgs {
  campaign: string;
  ledger?: string | undefined;
  "studio-url"?: string | undefined;
  yes: boolean;
  json: boolean;
}

export const endCommand = {
  command: "end <campaign>",
  describe: "End every still-active Execution this campaign created (the kill switch)",
  builder: (y: Argv) =>
    withLedgerSessionOptions(y).option("yes", {
      type: "boolean",
      default: false,
      describe: "do not ask for confirmation (required without a TTY)",
    }),
  handler: async (argv: EndArgs) => {
    const campaign = await loadCampaign(argv.campaign, { ledger: argv.ledger });
    const credentials = credentialsFromEnv();
    // undici: only when needed
    const { openExecutionsSession } = await import("../engine/results/executions-session.js");
    const { endExecutions, openExecutions } = await import("../engine/results/end-executions.js");
    await using session = await openExecutionsSession(executionsOptions(campaign, credentials, argv));
    const open = openExecutions(session);
    if (open > 0 && !argv.yes) await confirm(`End up to ${open} Execution(s) created by campaign ${campaign.name}? [y/N] `);
    const result = await endExecutions(session);
    process.stdout.write(
      argv.json
        ? `${JSON.stringify(result)}\n`
        : `Ended ${result.ended}, already ended ${result.alreadyEnded}, could not end ${result.failed.length}` +
            `${result.notAsked > 0 ? `, not asked yet ${result.notAsked}` : ""}\n` +
            result.failed.map((f) => `  ${f.sid}: ${f.message}\n`).join(""),
    );
    stoppedExit(session.stop, "end");
    if (result.failed.length > 0) throw new ExitError(ExitCode.tempFail, "some Executions could not be ended: run `end` again");
  },
};

async function confirm(question: string): Promise<void> {
  if (!process.stdin.isTTY) throw new ExitError(ExitCode.usage, "refusing to end Executions without --yes when not on a terminal");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    if (!/^y(es)?$/i.test(answer.trim())) throw new ExitError(ExitCode.usage, "not confirmed: nothing was ended");
  } finally {
    rl.close();
  }
}
