import yargs from "yargs";
import type { CommandModule } from "yargs";
import { VERSION } from "./version.js";

/**
 * Each command's module, loaded only when it is the one asked for: a cron rerun of `run` pays
 * for `run` alone, not for `report`, `simulator` and the rest (BENCHMARKS.md, start-up). With no
 * command, or `--help`, every one is loaded for the usage text.
 */
const COMMANDS: Record<string, () => Promise<object>> = {
  run: async () => (await import("./run-command.js")).runCommand,
  validate: async () => (await import("./validate-command.js")).validateCommand,
  preview: async () => (await import("./preview-command.js")).previewCommand,
  report: async () => (await import("./report-command.js")).reportCommand,
  status: async () => (await import("./status-command.js")).statusCommand,
  end: async () => (await import("./end-command.js")).endCommand,
  results: async () => (await import("./results-command.js")).resultsCommand,
  confirmations: async () => (await import("./confirmations-command.js")).confirmationsCommand,
  "opt-outs": async () => (await import("./opt-outs-command.js")).optOutsCommand,
  ledger: async () => (await import("./ledger-command.js")).ledgerCommand,
  simulator: async () => (await import("./simulator-command.js")).simulatorCommand,
};

/** The yargs program. Only this layer knows yargs: each command turns argv into typed options. */
export async function buildCli(argv: string[]) {
  const named = argv.find((arg) => !arg.startsWith("-"));
  const wanted = named !== undefined && named in COMMANDS ? [named] : Object.keys(COMMANDS);
  let program = yargs(argv)
    .scriptName("studio-campaign")
    .usage("$0 <command> [options]\n\nRun outbound Twilio Studio campaigns from a CSV, resumably.");
  // Each module types its own argv; yargs takes them as plain command modules.
  for (const command of await Promise.all(wanted.map((name) => COMMANDS[name]!()))) program = program.command(command as CommandModule);
  if (!argv.some((arg) => arg === "--help" || arg === "-h")) skipHelpCache(program);
  return (
    program
      // Every message of ours is English; yargs' own would follow LANG (a German usage error after an
      // English "studio-campaign:"). The bundled bin has only yargs' English strings in any case.
      .locale("en")
      .demandCommand(1, "name a command")
      .strict()
      .version(VERSION)
      .help()
      .alias("h", "help")
      .wrap(Math.min(110, process.stdout.columns || 100))
      .exitProcess(false)
      .fail((message, err) => {
        throw err ?? new UsageError(message);
      })
  );
}

/**
 * yargs lays out a command's whole help text (cliui, wrap-ansi, string-width) as the command
 * starts, to show it if the command fails later; our `fail` handler never shows it, so without
 * `--help` that work (~15 ms of a cron run's start-up) is skipped. The same fix as Angular's CLI
 * (angular/angular-cli#34087), through the same internal hook; where it is missing, nothing changes.
 */
function skipHelpCache(program: unknown): void {
  type Internals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = (program as Internals).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => undefined;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}
