#!/usr/bin/env node
// `npm test`: the build's JavaScript (the tests run the built CLI; scripts/build-js.mjs, no type
// check on the way), the format check and one type check of src/ and test/ — single-threaded tools
// (but for their garbage collectors), in two lanes on a machine of two cores. One after the other,
// with the build's own type check, they took ~25-29 s; so ~13-17 s cold. On a rerun the build and
// the type check are skipped when what they read has not changed since they last passed
// (scripts/stamp.mjs: the build also when dist/ is what it wrote) and Prettier keeps its cache:
// ~3 s, where an unchanged checkout spent ~8-10 s writing and checking the same files again.
// Then the suite. Each step's output is shown when it fails, with its name; vitest's as it
// comes. Arguments go to vitest. (The checks beside the suite instead: the suite took 100 s, not ~80.)
import { spawn } from "node:child_process";
import { savedStamp, saveStamp, stampOf } from "./stamp.mjs";

const TYPES_CACHE = "node_modules/.cache/studio-campaign/types.tsbuildinfo";
/** What the type check reads: tsconfig.json's files and what their types come from. */
const TYPES_INPUTS = [
  "src",
  "test",
  "vitest.config.ts",
  "tsconfig.json",
  "package.json",
  "package-lock.json",
  "node_modules/.package-lock.json",
  "patches",
];

/** Two lanes, one a core: the type check (the longest) beside the build then the format check. */
const LANES = [
  [
    { name: "build", command: "npm", args: ["run", "--silent", "build:js"] },
    { name: "lint", command: "npm", args: ["run", "--silent", "lint"] },
  ],
  // Incremental besides: tsc keeps what it checked in node_modules/.cache (a rerun after a change checks what changed).
  [
    {
      name: "types",
      command: process.execPath,
      args: ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--noEmit", "--incremental", "--tsBuildInfoFile", TYPES_CACHE],
      unless: { step: "types", inputs: TYPES_INPUTS },
    },
  ],
];
// vitest's own bin, not through npx (~0.3 s of npm each time).
const SUITE = {
  name: "vitest",
  command: process.execPath,
  args: ["node_modules/vitest/vitest.mjs", "run", ...process.argv.slice(2)],
  inherit: true,
};

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

/** The step, unless what it reads is what it read when it last passed. */
async function runUnlessUnchanged(step) {
  if (!step.unless) return run(step);
  const started = Date.now();
  const inputs = await stampOf(step.unless.inputs); // before the step reads them: an edit meanwhile is checked next time
  if ((await savedStamp(step.unless.step))?.inputs === inputs)
    return { name: `${step.name}: unchanged since it passed`, ok: true, output: "", ms: Date.now() - started };
  const result = await run(step);
  if (result.ok) await saveStamp(step.unless.step, { inputs });
  return result;
}

async function lane(steps) {
  const done = [];
  for (const step of steps) {
    const result = await runUnlessUnchanged(step);
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
