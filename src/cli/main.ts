#!/usr/bin/env -S node --max-semi-space-size=1
import { runCli } from "./run-cli.js";

// `studio-campaign report … | head`: a closed pipe is the reader's choice, not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await runCli(process.argv.slice(2));
