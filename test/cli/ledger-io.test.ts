import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/simulator/server.js";
import { CLI, contactsCsv, makeFixture, phoneNumbers, runCli, waitForExit } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS, childEnv } from "../helpers/env.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A ledger write failing mid-run, as on a full disk: the run's file-size limit (`ulimit -f`) makes
 * the kernel refuse the ledger's writes past 16 KiB with EFBIG (Node ignores SIGXFSZ, so the write
 * fails as ENOSPC would). A real I/O error from the real file system, not a mock.
 */
describe("a ledger that cannot be written mid-run", () => {
  it("names the ledger, stops sending, keeps the rest pending and exits 75 — not an internal error; the next run finishes, none twice", async () => {
    const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0 });
    const f = await makeFixture(contactsCsv(phoneNumbers(300)));
    cleanups.push(
      () => sim.close(),
      () => f.cleanup(),
    );
    // A short request timeout: the attempts left open by the failure are settled (List) that much later.
    const args = ["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight", "--rate", "1000", "--request-timeout", "300"];
    const quoted = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(" ");
    const child = spawn("bash", ["-c", `ulimit -f 16; exec ${quoted}`], { env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
    const result = await waitForExit(child);
    expect(result.code, result.stderr).toBe(75);
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toMatch(
      /Stopped: .*test-campaign\.ledger\.jsonl: the ledger could not be written \(EFBIG: file too large for this process's limit\)/,
    );
    expect(output).not.toMatch(/internal error/);
    expect(result.stdout).toMatch(/Rows: +pending \d+, created \d+/);
    const created = sim.stats.created;
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThan(300);
    const rerun = await runCli(args);
    expect(rerun.code, rerun.stderr).toBe(0);
    const to = sim.executions().map((e) => e.to);
    expect(new Set(to).size).toBe(300);
    expect(to).toHaveLength(300);
  });
});
