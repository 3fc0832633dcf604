import { readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import type { SimulatorOptions } from "../../src/simulator/options.js";
import { contactsCsv, makeFixture, phoneNumbers, runCli, startCli, waitForExit, type Fixture } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../helpers/env.js";

// The tests of this file run at once (each has its own simulator and folder; most of each is
// waiting): what they set up is cleaned when the file is done.
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(n: number, simOptions: SimulatorOptions = {}, campaign: Record<string, unknown> = {}) {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, ...simOptions });
  const f = await makeFixture(contactsCsv(phoneNumbers(n)), campaign);
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  return { sim, f };
}

const runArgs = (f: Fixture, sim: Simulator, ...flags: string[]) => ["run", f.campaignPath, "--studio-url", sim.url, ...flags];

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.concurrent("lock", () => {
  it("a second run on the same ledger exits 75 at once, naming the holder", async () => {
    const { sim, f } = await setup(40, { latencyMs: 50 });
    const first = startCli(runArgs(f, sim, "--rate", "10"));
    const firstDone = waitForExit(first);
    await waitFor(() => sim.stats.created > 0);
    const started = Date.now();
    const second = await runCli(runArgs(f, sim));
    expect(second.code).toBe(75);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(second.stderr).toMatch(new RegExp(`held by pid ${first.pid} on ${hostname()} since \\d{4}-`));
    first.kill("SIGTERM");
    await firstDone;
  });

  it("takes over a stale lock left by a dead process", async () => {
    const { sim, f } = await setup(3);
    const dead = { pid: 2 ** 22 + 12345, host: hostname(), since: "2026-01-01T00:00:00Z", token: "stale" };
    await writeFile(`${f.ledgerPath}.lock`, JSON.stringify(dead));
    const result = await runCli(runArgs(f, sim));
    expect(result.code).toBe(0);
    expect(sim.executions()).toHaveLength(3);
    await expect(readFile(`${f.ledgerPath}.lock`)).rejects.toThrow(/ENOENT/);
  });
});

describe.concurrent("signals", () => {
  it("SIGINT stops dispatching, finishes in-flight requests, prints the summary and exits 75; a rerun completes", async () => {
    const { sim, f } = await setup(60, { latencyMs: 200 });
    const child = startCli(runArgs(f, sim, "--rate", "10", "--json", "--no-preflight"));
    const done = waitForExit(child);
    await waitFor(() => sim.stats.created >= 5);
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(75);
    const summary = JSON.parse(result.stdout);
    expect(summary.stopped).toBe("signal");
    expect(summary.counts.pending).toBeGreaterThan(0);
    // Every request that left was answered and recorded: nothing is in doubt.
    expect(summary.counts.created).toBe(sim.executions().length);
    const rerun = await runCli(runArgs(f, sim, "--rate", "50"));
    expect(rerun.code).toBe(0);
    expect(new Set(sim.executions().map((e) => e.to)).size).toBe(60);
    expect(sim.executions()).toHaveLength(60);
  });

  it("a second SIGINT exits at once and leaves a ledger the next run resumes", async () => {
    const { sim, f } = await setup(40, { latencyMs: 3000 });
    // --no-preflight: its two reads would take the simulator's 3 s latency each.
    const child = startCli(runArgs(f, sim, "--rate", "20", "--no-preflight"));
    const done = waitForExit(child);
    await waitFor(() => sim.stats.createArrivals.length >= 3);
    child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(75);
    sim.configure({ latencyMs: 0 });
    const rerun = await runCli(runArgs(f, sim, "--rate", "50", "--request-timeout", "1000"));
    expect(rerun.code).toBe(0);
    expect(sim.executions()).toHaveLength(40);
  });
});

describe.concurrent("stopping early", () => {
  function windowExcludingNow(): { start: string; end: string } {
    const now = new Date();
    const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
    const start = minute < 1200 ? minute + 120 : 60;
    const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
    return { start: clock(start), end: clock(start + 60) };
  }

  it("outside the send window: sends nothing, says when it opens, exits 75", async () => {
    const { sim, f } = await setup(5, {}, { window: { timezone: "UTC", ...windowExcludingNow() } });
    const result = await runCli(runArgs(f, sim));
    expect(result.code).toBe(75);
    expect(sim.stats.createArrivals).toHaveLength(0);
    expect(result.stdout).toMatch(/5 contact\(s\) are outside the send window \(UTC\); it opens next at \d{4}-\d\d-\d\dT/);
  });

  it("--max-runtime stops with 75 and leaves the rest pending", async () => {
    const { sim, f } = await setup(100);
    const result = await runCli(runArgs(f, sim, "--rate", "20", "--max-runtime", "1", "--json", "--no-preflight"));
    expect(result.code).toBe(75);
    const summary = JSON.parse(result.stdout);
    expect(summary.stopped).toBe("max-runtime");
    expect(summary.stopMessage).toMatch(/--max-runtime reached after 1 s/);
    // Some were sent, far from all (100 at 20/s is 5 s), at the limiter's pace for however long the
    // run lasted (a loaded machine fires the deadline late: the pace, not the clock, bounds it), and
    // every other contact is pending. When exactly dispatching stops is tested on the run's own
    // clock (test/engine/run/run-campaign.test.ts).
    expect(summary.counts.created).toBeGreaterThanOrEqual(1);
    expect(summary.counts.created).toBeLessThanOrEqual(20 * Math.ceil(summary.durationMs / 1000) + 1);
    expect(summary.counts.pending).toBe(100 - summary.counts.created);
    expect(sim.executions()).toHaveLength(summary.counts.created);
  });

  it("an outage (refused connections) stops with 75 and leaves rows pending, not failed", async () => {
    const { f } = await setup(20);
    // --no-preflight: the outage met by the creates (an unreachable Studio at preflight is exit 75 before any row).
    const result = await runCli([
      "run",
      f.campaignPath,
      "--studio-url",
      "http://127.0.0.1:1",
      "--outage-after",
      "2",
      "--json",
      "--no-preflight",
    ]);
    expect(result.code).toBe(75);
    const summary = JSON.parse(result.stdout);
    expect(summary.stopped).toBe("outage");
    expect(summary.counts.failed).toBe(0);
    expect(summary.counts.pending).toBe(20);
  });

  it("--retry-failed re-attempts rows that failed transiently", async () => {
    const { sim, f } = await setup(2, {}, { retry: { maxAttempts: 1 } });
    // One attempt each against a closed port: they fail transiently (not sent).
    const first = await runCli(["run", f.campaignPath, "--studio-url", "http://127.0.0.1:1", "--json", "--no-preflight"]);
    expect(JSON.parse(first.stdout).counts.failed).toBe(2);
    expect((await runCli(runArgs(f, sim, "--json"))).stdout).toMatch(/"requests":0/);
    const retried = await runCli(runArgs(f, sim, "--retry-failed"));
    expect(retried.code).toBe(0);
    expect(sim.executions()).toHaveLength(2);
  });

  it.each([
    ["delay-seconds", "86400"],
    ["an HTTP date", new Date(Date.now() + 86_400_000).toUTCString()],
  ])("a Retry-After of a day (%s) holds only up to retry.maxRetryAfter, and says so", async (_name, retryAfter) => {
    const { sim, f } = await setup(12, { rate: 5, retryAfter }, { retry: { maxRetryAfter: 1 } });
    const started = Date.now();
    const result = await runCli(runArgs(f, sim, "--rate", "50", "--no-preflight"));
    expect(result.code).toBe(0);
    expect(sim.stats.created).toBe(12);
    expect(sim.stats.rateLimited).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/asked to wait 86[34]\d\d s \(Retry-After\); waiting 1 s/);
    expect(Date.now() - started).toBeLessThan(15_000); // a day's hold would never end
  });
});
