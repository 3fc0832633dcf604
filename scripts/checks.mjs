#!/usr/bin/env node
// `npm test`, before vitest: the build's JavaScript (the tests run the built CLI; scripts/emit.mjs,
// no type check on the way), the format check and the type check of src/ and test/, at once —
// single-threaded tools (but for their garbage collectors) on a machine of two cores or more, in two
// lanes. One after the other, with the build's own type check, they took ~25-29 s; so ~13-17 s. Each one's output is shown when it fails, with
// its name; the exit code is non-zero when any failed, after all have ended.
import { spawn } from "node:child_process";

/** Two lanes, one a core: the type check (the longest) beside the build then the format check. */
const LANES = [
  [
    { name: "build", command: "npm", args: ["run", "--silent", "build:js"] },
    { name: "lint", command: "npm", args: ["run", "--silent", "lint"] },
  ],
  [{ name: "types", command: "npx", args: ["tsc", "-p", "tsconfig.json", "--noEmit"] }],
];

function run({ name, command, args }) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (error) => resolve({ name, ok: false, output: `${output}${error.message}\n`, ms: Date.now() - started }));
    child.on("close", (code) => resolve({ name, ok: code === 0, output, ms: Date.now() - started }));
  });
}

async function lane(steps) {
  const done = [];
  for (const step of steps) done.push(await run(step));
  return done;
}

const results = (await Promise.all(LANES.map(lane))).flat();
for (const { name, ok, output, ms } of results) {
  process.stderr.write(`${ok ? "ok" : "FAILED"} ${name} (${(ms / 1000).toFixed(1)} s)\n`);
  if (!ok) process.stderr.write(output.endsWith("\n") ? output : `${output}\n`);
}
process.exit(results.every((r) => r.ok) ? 0 : 1);
