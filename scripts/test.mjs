#!/usr/bin/env node
// `npm test`: the build's JavaScript (the tests run the built CLI; scripts/emit.mjs, no type check
// on the way), the format check and one type check of src/ and test/ — single-threaded tools (but
// for their garbage collectors), in two lanes on a machine of two cores. One after the other, with
// the build's own type check, they took ~25-29 s; so ~13-17 s, and ~6 s on a rerun (the type
// check incremental, the format check with Prettier's cache, both in node_modules/.cache).
// Then the suite. Each step's output is shown when it fails, with its name; vitest's as it
// comes. Arguments go to vitest. (The checks beside the suite instead: the suite took 100 s, not ~80.)
import { spawn } from "node:child_process";

const TYPES_CACHE = "node_modules/.cache/studio-campaign/types.tsbuildinfo";

/** Two lanes, one a core: the type check (the longest) beside the build then the format check. */
const LANES = [
  [
    { name: "build", command: "npm", args: ["run", "--silent", "build:js"] },
    { name: "lint", command: "npm", args: ["run", "--silent", "lint"] },
  ],
  // Incremental: tsc keeps what it checked in node_modules/.cache (a rerun checks what changed).
  [{ name: "types", command: "npx", args: ["tsc", "-p", "tsconfig.json", "--noEmit", "--incremental", "--tsBuildInfoFile", TYPES_CACHE] }],
];
const SUITE = { name: "vitest", command: "npx", args: ["vitest", "run", ...process.argv.slice(2)], inherit: true };

function run({ name, command, args, inherit = false }) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: inherit ? "inherit" : ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    child.on("error", (error) => resolve({ name, ok: false, output: `${output}${error.message}\n`, ms: Date.now() - started }));
    child.on("close", (code) => resolve({ name, ok: code === 0, output, ms: Date.now() - started }));
  });
}

async function lane(steps) {
  const done = [];
  for (const step of steps) {
    const result = await run(step);
    done.push(result);
    if (!result.ok) break; // a failed build: no format check after it
  }
  return done;
}

const checks = (await Promise.all(LANES.map(lane))).flat();
for (const { name, ok, output, ms } of checks) {
  process.stderr.write(`${ok ? "ok" : "FAILED"} ${name} (${(ms / 1000).toFixed(1)} s)\n`);
  if (!ok) process.stderr.write(output.endsWith("\n") ? output : `${output}\n`);
}
if (!checks.every((r) => r.ok)) process.exit(1);
const suite = await run(SUITE);
process.exit(suite.ok ? 0 : 1);
