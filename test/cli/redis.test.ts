import { afterAll, describe, expect, it } from "vitest";
import path from "node:path";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { contactsCsv, makeFixture, maxPerWindow, phoneNumbers, runCliProcess, tightestSpan, type Fixture } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../helpers/env.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";

const cleanups: Array<() => Promise<void>> = [];
// Some tests run at once: what they set up is cleaned when the file is done.
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * The account's limit in these tests: twice Studio's default 20/s, so that a few seconds hold
 * the windows these tests need (the limiter's rules do not depend on the rate).
 */
const RATE = 40;
/** After Redis lost its keys, the limit holds again within this long (it has held throughout in every run so far). */
const TRANSITION_MS = 1000;

async function setup(contacts: number): Promise<{ sim: Simulator; redis: RedisServer; f: Fixture }> {
  const redis = await startRedis();
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: RATE, latencyMs: 30 });
  const f = await makeFixture(contactsCsv(phoneNumbers(contacts)));
  cleanups.push(
    () => redis.stop(),
    () => sim.close(),
    () => f.cleanup(),
  );
  return { sim, redis, f };
}

/** Two worker processes, each asked for the whole rate, each on its own shard and ledger. */
function twoShards(f: Fixture, sim: Simulator, redis: RedisServer) {
  return Promise.all(
    [1, 2].map((k) =>
      runCliProcess([
        "run",
        f.campaignPath,
        "--studio-url",
        sim.url,
        "--rate",
        String(RATE),
        "--redis",
        redis.url,
        "--shard",
        `${k}/2`,
        "--ledger",
        path.join(f.dir, `shard-${k}.jsonl`),
        "--json",
      ]),
    ),
  );
}

function perContact(sim: Simulator): number[] {
  const counts = new Map<string, number>();
  for (const e of sim.executions()) counts.set(e.to, (counts.get(e.to) ?? 0) + 1);
  return [...counts.values()];
}

/**
 * Two workers held to one budget. Real time on a shared 2-core machine: one start delayed by a
 * scheduler stall beyond the pacing margin can put one arrival too many in a window (and draw
 * one 429, which the run absorbs). A limit that is not shared shows twice the rate and dozens of 429s.
 */
function expectOneSharedLimit(arrivals: readonly number[]): void {
  expect(maxPerWindow(arrivals)).toBeLessThanOrEqual(RATE + 1);
}

describe("one Studio rate limit shared through Redis", () => {
  it("two processes at the whole rate each stay together under the strict rate, each shard complete, no overlap", async () => {
    const { sim, redis, f } = await setup(120);
    const results = await twoShards(f, sim, redis);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    const created = results.map((r) => JSON.parse(r.stdout).counts.created as number);
    expect(created[0]! + created[1]!).toBe(120);
    expect(created.every((n) => n > 40)).toBe(true); // both worked, not one after the other
    expect(perContact(sim)).toHaveLength(120);
    expect(perContact(sim).every((n) => n === 1)).toBe(true);
    const t = sim.stats.createArrivals;
    // A 429 holds both workers for its Retry-After (the simulator says 1 s): judged without it.
    const combined = (t.length - 1) / (((t.at(-1) ?? 0) - (t[0] ?? 0)) / 1000 - sim.stats.rateLimited);
    console.info(
      `redis-shared: ${t.length} creates by 2 processes, combined ${combined.toFixed(2)}/s, max ${maxPerWindow(t)} in any 1 s window (${RATE + 1} arrivals spanned ≥ ${tightestSpan(t, RATE + 1)} ms), ${sim.stats.rateLimited} × 429`,
    );
    expectOneSharedLimit(t);
    expect(sim.stats.rateLimited).toBeLessThanOrEqual(1);
    expect(combined).toBeGreaterThan(0.9 * RATE);
  });

  // The two disruptions at once, each with its own Redis, simulator and workers: light work (40/s).
  it.concurrent.each([
    ["flushed", (redis: RedisServer) => Promise.resolve(redis.flushAll())],
    ["restarted empty", (redis: RedisServer) => redis.restart()],
  ])("Redis %s mid-run: no hang, every contact once, and the limit holds again after a short transition", async (_name, disrupt) => {
    const { sim, redis, f } = await setup(200);
    const running = twoShards(f, sim, redis);
    await new Promise((r) => setTimeout(r, 1500));
    const disruptedAt = Date.now();
    await disrupt(redis);
    const recoveredAt = Date.now();
    const results = await running;
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    expect(perContact(sim)).toHaveLength(200);
    expect(perContact(sim).every((n) => n === 1)).toBe(true);
    const arrivals = sim.stats.createArrivals;
    const before = arrivals.filter((t) => t < disruptedAt);
    const after = arrivals.filter((t) => t > recoveredAt + TRANSITION_MS);
    const transition = arrivals.filter((t) => t >= disruptedAt && t <= recoveredAt + TRANSITION_MS);
    console.info(
      `redis ${_name} (down ${recoveredAt - disruptedAt} ms): max window before ${maxPerWindow(before)}, in the transition ${maxPerWindow(transition)}, after ${maxPerWindow(after)} (${RATE + 1} arrivals spanned ≥ ${tightestSpan(after, RATE + 1)} ms); ${sim.stats.rateLimited} × 429 absorbed`,
    );
    expectOneSharedLimit(before);
    expectOneSharedLimit(after);
    expect(after.length).toBeGreaterThan(RATE);
  });
});
