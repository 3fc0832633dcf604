#!/usr/bin/env node
// `npm test` (pretest): make sure what the tests need beyond npm is here. The Redis tests start
// their own redis-server on free loopback ports, so the binary must be on PATH. On Debian as
// root (this project's machines and CI) it is installed from Debian's packages; elsewhere the
// tests stop here with one line saying what to install, never with a stack of ENOENTs.
import { spawnSync } from "node:child_process";

const has = (command) => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;

if (!has("redis-server") || !has("redis-cli")) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && has("apt-get")) {
    process.stderr.write("npm test: redis-server is missing; installing Debian's redis-server (apt-get)…\n");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const run = (args) => spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env }).status === 0;
    if (!run(["update", "-qq"]) || !run(["install", "-y", "-qq", "--no-install-recommends", "redis-server"])) {
      process.stderr.write("npm test: apt-get could not install redis-server; install it and run npm test again\n");
      process.exit(1);
    }
  } else {
    process.stderr.write(
      "npm test needs redis-server on PATH for the shared-rate-limit tests: install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)\n",
    );
    process.exit(1);
  }
}
