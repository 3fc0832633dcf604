#!/usr/bin/env node
// `npm run build:js` (and so `npm run build`, `npm test`, the demo, the bench, `npm pack`): the
// patches applied to node_modules (patch-package), then dist/ — each file's JavaScript
// (scripts/emit.mjs) and the bin's bundle (scripts/bundle-cli.mjs). Skipped when what the build
// reads (src/, the tsconfigs, the lock files, patches/, these scripts) is byte for byte what the
// last build read and dist/ is still byte for byte what it wrote (scripts/stamp.mjs): a rerun of
// `npm test` on an unchanged checkout spent ~4 s of its ~90 s writing the same files again.
import { spawnSync } from "node:child_process";
import { chmod } from "node:fs/promises";
import path from "node:path";
import { bundleCli } from "./bundle-cli.mjs";
import { emitAll } from "./emit.mjs";
import { forgetStamp, ROOT, savedStamp, saveStamp, stampOf } from "./stamp.mjs";

const INPUTS = [
  "src",
  "tsconfig.json",
  "tsconfig.build.json",
  "package.json",
  "package-lock.json",
  "node_modules/.package-lock.json",
  "patches",
  "scripts/build-js.mjs",
  "scripts/emit.mjs",
  "scripts/bundle-cli.mjs",
  "scripts/stamp.mjs",
];

const patched = spawnSync(process.execPath, [path.join(ROOT, "node_modules/patch-package/index.js"), "--error-on-fail"], {
  cwd: ROOT,
  stdio: "inherit",
});
if (patched.status !== 0) process.exit(patched.status ?? 1);

const inputs = await stampOf(INPUTS);
const saved = await savedStamp("build");
if (saved?.inputs === inputs && saved.dist === (await stampOf(["dist"]))) {
  process.stdout.write("dist/ is already built from these sources\n");
} else {
  await forgetStamp("build"); // a build stopped half-way is not trusted next time
  await emitAll();
  await bundleCli();
  await chmod(path.join(ROOT, "dist/cli/main.js"), 0o755);
  await saveStamp("build", { inputs, dist: await stampOf(["dist"]) });
}
