#!/usr/bin/env -S node --max-semi-space-size=1
import { buildCli, UsageError } from "./build-cli.js";
import { ExitCode, ExitError } from "./exit-codes.js";

/** The only place that turns errors into exit codes. */
async function main(argv: string[]): Promise<void> {
  try {
    await buildCli(argv).parseAsync();
  } catch (err) {
    if (err instanceof ExitError) {
      if (err.message) process.stderr.write(`studio-campaign: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`studio-campaign: ${err.message}\nRun with --help for usage.\n`);
      process.exitCode = ExitCode.usage;
      return;
    }
    process.stderr.write(`studio-campaign: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = ExitCode.tempFail;
  }
}

// `studio-campaign report … | head`: a closed pipe is the reader's choice, not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

await main(process.argv.slice(2));
