#!/usr/bin/env node
// `npm test` (pretest): make sure what the tests need beyond npm is here. The Redis tests start
// their own redis-server on free loopback ports, the PostgreSQL ledger's tests a throwaway cluster
// (initdb + pg_ctl) in a temp folder; the HTML report is opened in Debian's headless Chromium. On Debian as root (this project's machines and CI) each missing one is installed
// from Debian's packages; elsewhere the tests stop here with one line saying what to install,
// never with a stack of ENOENTs, and never by skipping a test.
import { spawnSync } from "node:child_process";

const has = (command) => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;

/** What the tests need: the commands that must be on PATH, the Debian packages that bring them, and what for. */
const NEEDS = [
  { commands: ["redis-server", "redis-cli"], packages: ["redis-server"], why: "the shared-rate-limit tests", mac: "brew install redis" },
  {
    commands: ["chromium"],
    packages: ["chromium"],
    why: "the HTML report's browser tests",
    mac: "install Chromium and put `chromium` on PATH",
  },
];

// Debian keeps PostgreSQL's server binaries off PATH, under /usr/lib/postgresql/<version>/bin.
const hasPostgres = () => spawnSync("sh", ["-c", "ls /usr/lib/postgresql/*/bin/initdb"], { stdio: "ignore" }).status === 0;
const missing = NEEDS.filter((need) => !need.commands.every(has));
if (!hasPostgres())
  missing.push({
    commands: ["initdb", "pg_ctl"],
    packages: ["postgresql"],
    why: "the PostgreSQL ledger's tests",
    mac: "brew install postgresql",
  });
if (missing.length > 0) {
  const packages = missing.flatMap((need) => need.packages);
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && has("apt-get")) {
    process.stderr.write(`npm test: ${packages.join(" and ")} missing; installing Debian's ${packages.join(", ")} (apt-get)…\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const run = (args) => spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env }).status === 0;
    if (!run(["update", "-qq"]) || !run(["install", "-y", "-qq", "--no-install-recommends", ...packages])) {
      process.stderr.write(`npm test: apt-get could not install ${packages.join(", ")}; install them and run npm test again\n`);
      process.exit(1);
    }
  } else {
    for (const need of missing)
      process.stderr.write(
        `npm test needs ${need.commands.join(" and ")} on PATH for ${need.why}: install it (Debian/Ubuntu: apt-get install ` +
          `${need.packages.join(" ")}; macOS: ${need.mac})\n`,
      );
    process.exit(1);
  }
}
