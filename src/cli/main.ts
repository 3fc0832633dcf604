#!/usr/bin/env -S node --max-semi-space-size=4
// `studio-campaign --version` answers before the CLI loads (yargs and every command): a cron
// wrapper or a health check asks it often, and it is bare Node's start-up plus one file read.
if (process.argv.length === 3 && process.argv[2] === "--version") {
  const { VERSION } = await import("./version.js");
  process.stdout.write(`${VERSION}\n`);
} else {
  // `studio-campaign report … | head`: a closed pipe is the reader's choice, not an error.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
  const { runCli } = await import("./run-cli.js");
  process.exitCode = await runCli(process.argv.slice(2));
}
