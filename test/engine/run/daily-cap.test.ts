import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { capDay, daysNeeded } from "../../../src/engine/run/daily-cap.js";
import { loadCampaign } from "../../../src/campaign/load-campaign.js";
import type { Clock } from "../../../src/clock.js";
import type { RunSummary } from "../../../src/engine/run/run-events.js";
import type { ShardSpec } from "../../../src/contacts/shard.js";
import { startSimulator, type Simulator } from "../../../src/simulator/server.js";
import { contactsCsv, makeFixture, phoneNumbers, type Fixture } from "../../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../../helpers/env.js";
import { startRedis } from "../../helpers/redis.js";
import { runInProcess } from "../../helpers/run.js";

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PACIFIC = "America/Los_Angeles";
const at = (iso: string) => Date.parse(iso);

describe("capDay: the day in the cap's zone, DST included", () => {
  it.each([
    ["23:59:59 Pacific is still the 28th", "2026-11-29T07:59:59Z", "2026-11-28", "2026-11-28T08:00:00Z", "2026-11-29T08:00:00Z"],
    ["midnight Pacific starts the 29th", "2026-11-29T08:00:00Z", "2026-11-29", "2026-11-29T08:00:00Z", "2026-11-30T08:00:00Z"],
    ["the day DST ends has 25 hours", "2026-11-01T12:00:00Z", "2026-11-01", "2026-11-01T07:00:00Z", "2026-11-02T08:00:00Z"],
    ["its 25th hour is still that day", "2026-11-02T07:30:00Z", "2026-11-01", "2026-11-01T07:00:00Z", "2026-11-02T08:00:00Z"],
    ["the day DST starts has 23 hours", "2026-03-08T12:00:00Z", "2026-03-08", "2026-03-08T08:00:00Z", "2026-03-09T07:00:00Z"],
    ["the last day of a month", "2026-12-01T07:00:00Z", "2026-11-30", "2026-11-30T08:00:00Z", "2026-12-01T08:00:00Z"],
  ] as const)("%s", (_name, now, key, starts, next) => {
    expect(capDay(PACIFIC, at(now))).toEqual({ key, startsAt: at(starts), nextStartsAt: at(next) });
  });

  it("another zone: UTC days are UTC's", () => {
    expect(capDay("UTC", at("2026-11-29T23:59:00Z"))).toEqual({
      key: "2026-11-29",
      startsAt: at("2026-11-29T00:00:00Z"),
      nextStartsAt: at("2026-11-30T00:00:00Z"),
    });
  });
});

describe("daysNeeded", () => {
  it.each([
    [30, 1, 0, 0, 0],
    [30, 1, 30, 0, 1],
    [30, 1, 31, 0, 2],
    [30, 1, 198, 0, 7],
    [30, 1, 198, 30, 7], // today is spent: seven days from tomorrow
    [30, 1, 10, 25, 2], // 5 left today, 5 tomorrow
    [30, 2, 30, 0, 2], // two messages a contact: 15 contacts a day
  ] as const)(
    "max %i, %i message(s) each, %i contacts, %i used today: %i day(s)",
    (maxPerDay, messagesPerContact, contacts, used, days) => {
      expect(daysNeeded({ maxPerDay, messagesPerContact }, contacts, used)).toBe(days);
    },
  );
});

/** A clock set by the test: the day is what it says, whatever the machine's date. */
function fixedClock(iso: string): Clock & { set(iso: string): void } {
  let now = at(iso);
  return {
    now: () => now,
    sleep: async () => new Promise((resolve) => setImmediate(resolve)),
    set: (next) => (now = at(next)),
  };
}

async function setup(contacts: number, cap: Record<string, unknown>): Promise<{ sim: Simulator; f: Fixture }> {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0 });
  const f = await makeFixture(contactsCsv(phoneNumbers(contacts)), { rate: cap });
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  return { sim, f };
}

/** One cron run at the clock's time: the cap opened as `run` opens it (from the ledger, or Redis). */
async function run(f: Fixture, sim: Simulator, clock: Clock, extra: { redisUrl?: string; shard?: ShardSpec; ledger?: string } = {}) {
  const campaign = await loadCampaign(f.campaignPath, { ledger: extra.ledger });
  return runInProcess(campaign, sim.url, {
    clock,
    redisUrl: extra.redisUrl,
    shard: extra.shard,
    requestTimeoutMs: 2_000,
    pace: { perSecond: 1000, concurrency: 4 },
  });
}

const created = (s: RunSummary) => s.thisRun.created;

describe.concurrent("the daily cap in a run (docs/reference.md §13)", () => {
  it("counted from the ledger across runs: stops at the cap with the next day's start, and goes on only after midnight Pacific (a 25-hour DST day)", async () => {
    const { sim, f } = await setup(14, { maxPerDay: 5 });
    const clock = fixedClock("2026-11-01T06:59:00Z"); // 23:59 PDT on Oct 31
    const first = await run(f, sim, clock);
    expect([created(first), first.stopped, first.counts.pending]).toEqual([5, "cap", 9]);
    expect(first.stopMessage).toMatch(/rate\.maxPerDay 5, 5 message\(s\) counted on 2026-10-31 \(America\/Los_Angeles\)/);
    expect(first.stopMessage).toMatch(/next day starts at 2026-11-01T00:00:00-07:00/);
    clock.set("2026-11-01T06:59:40Z");
    const again = await run(f, sim, clock); // the same day: nothing
    expect([created(again), again.stopped]).toEqual([0, "cap"]);
    clock.set("2026-11-01T07:00:30Z"); // 00:00:30 PDT, Nov 1: DST ends tonight
    const nextDay = await run(f, sim, clock);
    expect([created(nextDay), nextDay.stopped]).toEqual([5, "cap"]);
    expect(nextDay.stopMessage).toMatch(/next day starts at 2026-11-02T00:00:00-08:00/);
    clock.set("2026-11-02T07:30:00Z"); // 23:30 PST, still Nov 1 (a 24-hour day would have rolled over at 07:00Z)
    expect(created(await run(f, sim, clock))).toBe(0);
    clock.set("2026-11-02T08:00:01Z");
    const last = await run(f, sim, clock);
    expect([created(last), last.stopped, last.counts.pending]).toEqual([4, undefined, 0]);
    expect(sim.executions()).toHaveLength(14); // none sent twice
  });

  it("two messages per contact count two: a cap of 7 lets 3 contacts through a day", async () => {
    const { sim, f } = await setup(5, { maxPerDay: 7, messagesPerContact: 2 });
    const summary = await run(f, sim, fixedClock("2026-11-29T20:00:00Z"));
    expect([created(summary), summary.stopped]).toEqual([3, "cap"]);
    expect(summary.stopMessage).toMatch(/6 message\(s\) counted on 2026-11-29/);
  });

  it("shared through Redis by capKey: two workers together never pass it, and the next Pacific day opens it again", async () => {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const { sim, f } = await setup(40, { maxPerDay: 7, capKey: "brand-acme" });
    const shards = [1, 2].map((index) => ({ index, count: 2 }) as ShardSpec);
    const both = async (iso: string) => {
      const clock = fixedClock(iso);
      return Promise.all(
        shards.map((shard) =>
          run(f, sim, clock, { redisUrl: redis.url, shard, ledger: path.join(f.dir, `shard-${shard.index}.ledger.jsonl`) }),
        ),
      );
    };
    const day1 = await both("2026-11-29T07:58:00Z"); // 23:58 PST on the 28th
    expect(day1.reduce((n, s) => n + created(s), 0)).toBe(7);
    for (const s of day1) expect(s.stopped === "cap" || s.counts.pending === 0).toBe(true);
    const later = await both("2026-11-29T07:59:30Z");
    expect(later.reduce((n, s) => n + created(s), 0)).toBe(0);
    const day2 = await both("2026-11-29T08:00:10Z");
    expect(day2.reduce((n, s) => n + created(s), 0)).toBe(7);
    expect(new Set(sim.executions().map((e) => e.to)).size).toBe(14);
  });
});
