import { afterEach, describe, expect, it } from "vitest";
import { loadCampaign } from "../../../src/campaign/load-campaign.js";
import { systemClock, type Clock } from "../../../src/clock.js";
import type { RunSummary } from "../../../src/engine/run/run-events.js";
import { startSimulator, type Simulator } from "../../../src/simulator/server.js";
import { makeFixture, parseCsv, runCli, type Fixture } from "../../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../../helpers/env.js";
import { runInProcess } from "../../helpers/run.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Numbers by where their area code is; the zone column and deadlines per row. */
const CONTACTS = [
  { name: "new_york", to: "+12125550101" },
  { name: "chicago", to: "+13125550102" },
  { name: "denver", to: "+13035550103" },
  { name: "los_angeles", to: "+14155550104" },
  { name: "honolulu", to: "+18085550105" },
  { name: "london_3_zones", to: "+447911123456" }, // Guernsey, Isle of Man, London: one offset
  { name: "toll_free_all_na", to: "+18005550106" }, // every North American zone, Guam (UTC+10) to St John's (UTC−3:30)
  { name: "ny_number_in_honolulu", to: "+12125550107", tz: "Pacific/Honolulu" }, // the CSV's zone beats the number's
  { name: "honolulu_deadline_08", to: "+18085550108", notAfter: "2026-11-30T08:00" }, // local time: expires before 09:00 there
  { name: "la_deadline_utc", to: "+14155550109", notAfter: "2026-11-30T15:00:00Z" }, // expires before LA opens
];

async function setup(): Promise<{ sim: Simulator; f: Fixture }> {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0 });
  const csv = ["to,name,tz,not_after", ...CONTACTS.map((c) => `${c.to},${c.name},${c.tz ?? ""},${c.notAfter ?? ""}`)].join("\n");
  const f = await makeFixture(`${csv}\n`, {
    columns: { parameters: ["name"], timezone: "tz", notAfter: "not_after" },
    window: { timezone: "recipient", start: "09:00", end: "20:00" },
  });
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  return { sim, f };
}

/** A clock fixed at one instant for the window and deadline decisions; real sleeps for the limiter. */
const clockAt = (iso: string): Clock => ({ now: () => Date.parse(iso), sleep: systemClock.sleep });

async function runAt(iso: string, f: Fixture, sim: Simulator): Promise<RunSummary> {
  return runInProcess(await loadCampaign(f.campaignPath), sim.url, {
    clock: clockAt(iso),
    requestTimeoutMs: 2_000,
    pace: { perSecond: 200, concurrency: 5 },
  });
}

const sentNames = (sim: Simulator) =>
  sim
    .executions()
    .map((e) => CONTACTS.find((c) => c.to === e.to)!.name)
    .sort();

describe("quiet hours in the recipient's zone (window.timezone: recipient) and deadlines (columns.notAfter)", () => {
  it("sends each contact only inside its own local window, multi-zone numbers only inside all of theirs; past notAfter: expired, never sent", async () => {
    const { sim, f } = await setup();
    // Monday 2026-11-30, through the US day. Each run sends what is open now and stops (75) for the rest.
    const first = await runAt("2026-11-30T14:30:00Z", f, sim); // New York 09:30, London 14:30; Chicago 08:30 …
    expect(sentNames(sim)).toEqual(["london_3_zones", "new_york"]);
    expect(first.stopped).toBe("window");
    expect(first.stopMessage).toMatch(/outside the send window in their own time zones; it opens next at 2026-11-30T09:00:00-06:00/);

    await runAt("2026-11-30T15:30:00Z", f, sim); // Chicago 09:30
    expect(sentNames(sim)).toEqual(["chicago", "london_3_zones", "new_york"]);
    await runAt("2026-11-30T16:30:00Z", f, sim); // Denver 09:30; LA's deadline (15:00Z) passed before its window
    expect(sentNames(sim)).toEqual(["chicago", "denver", "london_3_zones", "new_york"]);
    await runAt("2026-11-30T17:30:00Z", f, sim); // Los Angeles 09:30
    expect(sentNames(sim)).toEqual(["chicago", "denver", "london_3_zones", "los_angeles", "new_york"]);
    const last = await runAt("2026-11-30T19:30:00Z", f, sim); // Honolulu 09:30; the 08:00-Honolulu deadline has passed
    expect(sentNames(sim)).toEqual(["chicago", "denver", "honolulu", "london_3_zones", "los_angeles", "new_york", "ny_number_in_honolulu"]);
    // The toll-free number spans Guam to St John's: 09:00–20:00 in all of them only from 23:00Z
    // (Guam 09:00) to 23:30Z (St John's 20:00).
    expect(last.counts).toMatchObject({ created: 7, expired: 2, pending: 1 });
    expect(last.stopMessage).toMatch(
      /1 contact\(s\) are outside the send window in their own time zones; it opens next at 2026-11-30T13:00:00-10:00/,
    );
    await runAt("2026-11-30T22:59:00Z", f, sim);
    expect(sentNames(sim)).not.toContain("toll_free_all_na");
    const done = await runAt("2026-11-30T23:10:00Z", f, sim);
    expect(sentNames(sim)).toContain("toll_free_all_na");
    expect(done.stopped).toBeUndefined();
    expect(done.counts).toMatchObject({ created: 8, expired: 2, pending: 0 });

    expect(sim.stats.createArrivals).toHaveLength(8); // one request per sent contact: none for the expired ones
    const arrived = new Set(sim.executions().map((e) => e.to));
    for (const name of ["honolulu_deadline_08", "la_deadline_utc"])
      expect(arrived.has(CONTACTS.find((c) => c.name === name)!.to)).toBe(false);
    const report = parseCsv((await runCli(["report", f.campaignPath])).stdout);
    const expired = report.filter((r) => r.status === "expired");
    expect(expired.map((r) => r.to).sort()).toEqual(["+14155550109", "+18085550108"]);
    expect(expired.find((r) => r.to === "+18085550108")!.error_message).toMatch(
      /its deadline \(2026-11-30T18:00:00\.000Z\) passed before it was sent/,
    ); // 08:00 Honolulu
  });

  it("validate: a number with no known zone is invalid without window.fallbackTimezone, sendable with it", async () => {
    const csv = "to\n+80012345678\n+12125550101\n";
    const bare = await makeFixture(csv, { defaultRegion: undefined, window: { timezone: "recipient", start: "09:00", end: "20:00" } });
    cleanups.push(() => bare.cleanup());
    const result = await runCli(["validate", bare.campaignPath, "--json"]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).problems[0].reason).toMatch(/no time zone is known for this number: give window.fallbackTimezone/);
    const withFallback = await makeFixture(csv, {
      window: { timezone: "recipient", fallbackTimezone: "America/Chicago", start: "09:00", end: "20:00" },
    });
    cleanups.push(() => withFallback.cleanup());
    expect((await runCli(["validate", withFallback.campaignPath])).code).toBe(0);
  });
});
