#!/usr/bin/env node
// `npm run build` (scripts/build-js.mjs), after the emit: the bin (dist/cli/main.js) becomes one entry file plus a chunk per
// lazily loaded part (each command, the sending stack, the report…), bundled by rolldown from
// tsc's own output. Node 20's ES module loader spends about a millisecond a module on resolution
// and linking, and a run that sends loaded ~110 of ours (BENCHMARKS.md, issue 24: ~100 ms before
// its first create; a cron rerun ~20 ms). Dependencies stay external, resolved from
// node_modules as before (patched Bottleneck; undici's Pool through createRequire), but for the pure
// libraries below.
// The rest of dist/ (the simulator, the bench, the demo) is tsc's output, unchanged.
import { rename, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = fileURLToPath(new URL("..", import.meta.url));
/**
 * Pure libraries (no files of their own read at run time, no native code, no patch) bundled with
 * our code and tree-shaken to what it uses: libphonenumber-js's ~100 modules loaded in ~100 ms
 * as ES modules (~55 ms as CommonJS) for the one parse-and-validate the run needs.
 */
const INLINED = [
  "yargs",
  "yargs-parser",
  "cliui",
  "y18n",
  "escalade",
  "get-caller-file",
  "string-width",
  "strip-ansi",
  "ansi-regex",
  "wrap-ansi",
  "ansi-styles",
  "emoji-regex",
  "get-east-asian-width",
  "libphonenumber-js",
  "csv-parse",
  "p-limit",
  "yocto-queue",
  "p-retry",
  "is-network-error",
];
const cliDir = path.join(root, "dist/cli");
const staging = path.join(root, "dist/.bin-staging");

/** Bundle dist/cli/main.js (tsc's output, just written) and the number worker into the bin's files in dist/cli. */
export async function bundleCli() {
  // Old chunks first: their names carry content hashes.
  for (const file of await readdir(cliDir)) if (file.startsWith("chunk-")) await rm(path.join(cliDir, file));
  await rm(staging, { recursive: true, force: true });
  await build({
    // The number worker (src/contacts/number-worker.ts) is an entry of its own, beside main.js: a
    // worker thread starts from a file.
    input: { main: path.join(cliDir, "main.js"), "number-worker": path.join(root, "dist/contacts/number-worker.js") },
    platform: "node",
    // Bare specifiers (packages, node: builtins) stay imports, but for the pure libraries below;
    // our own files are bundled.
    external: (id) => /^[^./]/.test(id) && !INLINED.some((name) => id === name || id.startsWith(`${name}/`)),
    output: { dir: staging, format: "esm", entryFileNames: "[name].js", chunkFileNames: "chunk-[name]-[hash].js" },
    logLevel: "warn",
  });
  // Beside tsc's modules in dist/cli, so that paths relative to import.meta.url (../../package.json) hold.
  for (const file of await readdir(staging)) await rename(path.join(staging, file), path.join(cliDir, file));
  await rm(staging, { recursive: true, force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
