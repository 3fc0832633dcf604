#!/usr/bin/env -S node --max-semi-space-size=1
import { StudioCampaignError } from "../errors.js";
import { buildCli, UsageError } from "./build-cli.js";
import { ExitCode, ExitError, exitCodeForError } from "./exit-codes.js";

/** Stacks only on request: `DEBUG=studio-campaign` (or `DEBUG=*`). */
const showStacks = /(^|,)\s*(\*|studio-campaign)\s*(,|$)/.test(process.env.DEBUG ?? "");

/** The only place that turns errors into exit codes and messages. */
async function main(argv: string[]): Promise<void> {
  try {
    await buildCli(argv).parseAsync();
  } catch (err) {
    process.exitCode = err instanceof UsageError ? ExitCode.usage : exitCodeForError(err);
    process.stderr.write(describe(err));
  }
}

function describe(err: unknown): string {
  if (err instanceof UsageError) return `studio-campaign: ${err.message}\nRun with --help for usage.\n`;
  if (err instanceof ExitError) return err.message ? `studio-campaign: ${err.message}\n` : "";
  const stack = showStacks && err instanceof Error ? `\n${err.stack ?? ""}` : "";
  if (err instanceof StudioCampaignError) return `studio-campaign: ${err.message}${stack}\n`;
  const message = err instanceof Error ? err.message : String(err);
  return `studio-campaign: internal error: ${message}${showStacks ? stack : " (DEBUG=studio-campaign shows the stack)"}\n`;
}

// `studio-campaign report … | head`: a closed pipe is the reader's choice, not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

await main(process.argv.slice(2));
