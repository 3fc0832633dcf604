import yargs from "yargs";
import { endCommand } from "./end-command.js";
import { reportCommand } from "./report-command.js";
import { optOutsCommand } from "./opt-outs-command.js";
import { ledgerCommand } from "./ledger-command.js";
import { resultsCommand } from "./results-command.js";
import { statusCommand } from "./status-command.js";
import { runCommand } from "./run-command.js";
import { simulatorCommand } from "./simulator-command.js";
import { validateCommand } from "./validate-command.js";
import { VERSION } from "./version.js";

/** The yargs program. Only this layer knows yargs: each command turns argv into typed options. */
export function buildCli(argv: string[]) {
  return yargs(argv)
    .scriptName("studio-campaign")
    .usage("$0 <command> [options]\n\nRun outbound Twilio Studio campaigns from a CSV, resumably.")
    .command(runCommand)
    .command(validateCommand)
    .command(reportCommand)
    .command(statusCommand)
    .command(endCommand)
    .command(resultsCommand)
    .command(optOutsCommand)
    .command(ledgerCommand)
    .command(simulatorCommand)
    .demandCommand(1, "name a command")
    .strict()
    .version(VERSION)
    .help()
    .alias("h", "help")
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, err) => {
      throw err ?? new UsageError(message);
    });
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}
