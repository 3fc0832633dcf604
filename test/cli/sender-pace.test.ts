import { afterAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { makeFixture, maxPerWindow, phoneNumbers, runCli, runCliProcess, type Fixture } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../helpers/env.js";
import { startRedis } from "../helpers/redis.js";

const cleanups: Array<() => Promise<void>> = [];
// Real time at the edge of each sender's window: one test at a time, the CLI in its own
// process, so that nothing skews the arrival times the simulator records.
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SENDERS = ["+15017122661", "+15017122662"];

async function setup(perSender: number, campaign: Record<string, unknown>): Promise<{ sim: Simulator; f: Fixture }> {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 20, latencyMs: 30 });
  // Rows alternate between the two senders (a per-row From column).
  const rows = phoneNumbers(perSender * SENDERS.length).map((to, i) => `${to},${SENDERS[i % SENDERS.length]}`);
  const f = await makeFixture(`to,sender\n${rows.join("\n")}\n`, { columns: { from: "sender", parameters: [] }, ...campaign });
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  return { sim, f };
}

function createdBySender(sim: Simulator): Map<string, number[]> {
  const times = new Map<string, number[]>();
  for (const e of sim.executions()) times.set(e.from, [...(times.get(e.from) ?? []), e.createdAt]);
  return times;
}

function combinedRate(sim: Simulator): number {
  const all = sim
    .executions()
    .map((e) => e.createdAt)
    .sort((a, b) => a - b);
  return (all.length - 1) / ((all.at(-1)! - all[0]!) / 1000);
}

describe("a pace each sender can carry (rate.senderMps)", () => {
  it("two senders at senderMps 4: never more than 4 creates in any second per sender, the campaign at ~8/s", async () => {
    const { sim, f } = await setup(8, { rate: { perSecond: 20, senderMps: 4 } });
    const result = await runCliProcess(["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Expected duration: ~\d+ s for 16 contact\(s\) at 20\/s, each sender at 4\.00\/s/);
    const bySender = createdBySender(sim);
    for (const sender of SENDERS) {
      expect(bySender.get(sender)).toHaveLength(8);
      expect(maxPerWindow(bySender.get(sender)!)).toBeLessThanOrEqual(4);
    }
    const rate = combinedRate(sim);
    console.info(
      `sender pace: 2 senders at senderMps 4, combined ${rate.toFixed(2)}/s, max per sender per 1 s window ${Math.max(...SENDERS.map((s) => maxPerWindow(bySender.get(s)!)))}`,
    );
    expect(rate).toBeGreaterThan(6);
    expect(rate).toBeLessThanOrEqual(9); // two interleaved 4/s streams; (n − 1) / span counts one edge twice
  });

  it("messagesPerContact divides the pace: senderMps 4 with 2 messages per contact is 2 creates a second per sender", async () => {
    const { sim, f } = await setup(5, { rate: { perSecond: 20, senderMps: 4, messagesPerContact: 2 } });
    expect((await runCliProcess(["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight"])).code).toBe(0);
    for (const times of createdBySender(sim).values()) expect(maxPerWindow(times)).toBe(2);
  });

  it("shared through Redis: two workers on one sender keep its pace together (at most a stall's worth over it)", async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 20, latencyMs: 30 });
    const f = await makeFixture(`to\n${phoneNumbers(10).join("\n")}\n`, { rate: { perSecond: 20, senderMps: 6 } });
    cleanups.push(
      () => sim.close(),
      () => f.cleanup(),
    );
    const worker = (k: number) =>
      runCliProcess([
        "run",
        f.campaignPath,
        "--studio-url",
        sim.url,
        "--no-preflight",
        "--redis",
        redis.url,
        "--shard",
        `${k}/2`,
        "--ledger",
        `${f.ledgerPath}.${k}`,
      ]);
    const results = await Promise.all([worker(1), worker(2)]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const times = sim.executions().map((e) => e.createdAt);
    expect(times).toHaveLength(10);
    // Admitted on Redis's clock, 6 per 1 025 ms; between that and the arrival each worker has its
    // own event-loop delay, so one stall beyond the 25 ms margin can put a 7th arrival in a second
    // (Twilio queues a sender's excess, it does not refuse it). Unshared (no --redis), the same
    // two workers showed 8 in a second and 7.6/s over the run: both assertions fail.
    expect(maxPerWindow(times)).toBeLessThanOrEqual(7);
    const sorted = [...times].sort((a, b) => a - b);
    expect((sorted.length - 1) / ((sorted.at(-1)! - sorted[0]!) / 1000)).toBeLessThanOrEqual(6.1);
  });
});

describe("validate warns when a sender's known throughput is below the create rate", () => {
  it.each([
    [
      "+15017122661",
      /US\/Canada long code \(1 message\/s\), but this campaign starts 20\.0 messages\/s from it: Twilio would queue 19\.0 messages\/s, and the last of 3 contacts would wait ~3 s/,
    ],
    ["+18005550100", /toll-free number \(~3 messages\/s by default\)/],
    ["MG0123456789abcdef0123456789abcdef", /Messaging Service \(a pool: its throughput is its senders' together\): set rate\.senderMps/],
  ])("%s", async (from, warning) => {
    const f = await makeFixture(`to\n${phoneNumbers(3).join("\n")}\n`, { from });
    cleanups.push(() => f.cleanup());
    const result = await runCli(["validate", f.campaignPath]);
    expect(result.stdout).toMatch(warning);
  });

  it("no warning once senderMps paces the sender", async () => {
    const f = await makeFixture(`to\n${phoneNumbers(3).join("\n")}\n`, { rate: { senderMps: 1 } });
    cleanups.push(() => f.cleanup());
    const result = await runCli(["validate", f.campaignPath]);
    expect(result.stdout).not.toMatch(/warning/);
    expect(result.stdout).toMatch(/Expected duration: ~3 s for 3 contact\(s\) at 20\/s, each sender at 1\.00\/s/);
  });
});
