import { afterAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { makeFixture, maxPerWindow, phoneNumbers, runCli, runCliProcess, type Fixture } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS, childEnv } from "../helpers/env.js";
import { GateGrants, tracedStarts, type Grant } from "../helpers/grants.js";
import { startRedis } from "../helpers/redis.js";

const cleanups: Array<() => Promise<void> | void> = [];
// Real time at the edge of each sender's window, the CLI in its own process; the three cases at
// once (each its own simulator, fixture and Redis: light work). The pace is judged where it is enforced: the limiter's own starts
// (`DEBUG=studio-campaign:starts`), or the shared gate's grants in Redis.
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SENDERS = ["+15017122661", "+15017122662"];

/**
 * A sender's pace is messages per second as the carrier counts them (docs/reference.md §3): at
 * most `senderMps` in any 1 000 ms, stated here and not taken from the code under test. A start
 * reaches Studio up to `ARRIVAL_SPREAD_MS` later than another (a process just started, a loaded
 * machine), so the starts must keep the pace in any window that much wider.
 */
const SENDER_WINDOW_MS = 1000;
const ARRIVAL_SPREAD_MS = 20;
const SENDER_GATE_WINDOW_MS = SENDER_WINDOW_MS + ARRIVAL_SPREAD_MS;

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

const traced = { env: childEnv({ DEBUG: "studio-campaign:starts" }) };

function startsBySender(starts: readonly Grant[]): Map<string, number[]> {
  const times = new Map<string, number[]>();
  for (const { scope, at } of starts) times.set(scope, [...(times.get(scope) ?? []), at]);
  return times;
}

function combinedRate(starts: readonly Grant[]): number {
  const all = starts.map((s) => s.at).sort((a, b) => a - b);
  return (all.length - 1) / ((all.at(-1)! - all[0]!) / 1000);
}

describe.concurrent("a pace each sender can carry (rate.senderMps)", () => {
  it("two senders at senderMps 4: the limiter never starts more than 4 a window per sender, the campaign at ~8/s", async () => {
    const { sim, f } = await setup(8, { rate: { perSecond: 20, senderMps: 4 } });
    const result = await runCliProcess(["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight"], traced);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Expected duration: ~\d+ s for 16 contact\(s\) at 20\/s, each sender at 4\.00\/s/);
    expect(sim.executions()).toHaveLength(16);
    const starts = tracedStarts(result.stderr);
    const bySender = startsBySender(starts);
    for (const sender of SENDERS) {
      expect(bySender.get(sender)).toHaveLength(8);
      expect(maxPerWindow(bySender.get(sender)!, SENDER_GATE_WINDOW_MS)).toBeLessThanOrEqual(4);
    }
    const rate = combinedRate(starts);
    console.info(
      `sender pace: 2 senders at senderMps 4, combined ${rate.toFixed(2)}/s, max per sender per window ${Math.max(...SENDERS.map((s) => maxPerWindow(bySender.get(s)!)))}`,
    );
    expect(rate).toBeGreaterThan(6);
    expect(rate).toBeLessThanOrEqual(9); // two interleaved 4/s streams; (n − 1) / span counts one edge twice
  });

  it("messagesPerContact divides the pace: senderMps 4 with 2 messages per contact is 2 creates a second per sender", async () => {
    const { sim, f } = await setup(5, { rate: { perSecond: 20, senderMps: 4, messagesPerContact: 2 } });
    const result = await runCliProcess(["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight"], traced);
    expect(result.code, result.stderr).toBe(0);
    const bySender = startsBySender(tracedStarts(result.stderr));
    expect([...bySender.keys()].sort()).toEqual(SENDERS);
    for (const times of bySender.values()) expect(maxPerWindow(times, SENDER_GATE_WINDOW_MS)).toBe(2);
  });

  it("shared through Redis: two workers on one sender keep its pace together, judged by the shared gate's grants", async () => {
    const redis = await startRedis();
    const grants = new GateGrants(redis.port);
    await grants.watch();
    cleanups.push(
      () => redis.stop(),
      () => grants.stop(),
    );
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
    expect(sim.executions()).toHaveLength(10);
    // The sender's gate in Redis, shared by both workers: one key, 6 grants per 1 020 ms at most. Unshared (no --redis), the two workers would each have a gate of their own,
    // and together 8 starts in a second (seen before the shared gate existed).
    const senderGates = [...grants.byScope()].filter(([key]) => key.includes(":sender:"));
    expect(senderGates.map(([key]) => key)).toEqual([expect.stringMatching(/:sender:\+15017122661:starts$/)]);
    const times = senderGates[0]![1];
    expect(times.length).toBeGreaterThanOrEqual(10);
    expect(maxPerWindow(times, SENDER_GATE_WINDOW_MS)).toBeLessThanOrEqual(6);
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
