import { appendFile } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/simulator/server.js";
import { contactsCsv, makeFixture, parseCsv, phoneNumbers, runCli } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../helpers/env.js";

/**
 * `run --dry-run` asks the run's own decision — window, daily cap, --limit, doubt — so
 * the rows it prints as "would send row N" are exactly those a real run at that moment sends, and
 * the held ones are counted by reason, with when each clears.
 */
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(n: number, campaign: Record<string, unknown> = {}) {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0 });
  const f = await makeFixture(contactsCsv(phoneNumbers(n)), campaign);
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  return { sim, f };
}

const wouldSend = (stdout: string) => [...stdout.matchAll(/^would send row (\d+):/gm)].map((m) => Number(m[1]));

/** A window that is closed now, in UTC: two hours from now for an hour (or 01:00–02:00 late in the day). */
function windowExcludingNow(): { timezone: string; start: string; end: string } {
  const now = new Date();
  const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
  const start = minute < 1200 ? minute + 120 : 60;
  const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  return { timezone: "UTC", start: clock(start), end: clock(start + 60) };
}

describe("run --dry-run is the run's own decision", () => {
  it("with the window closed: no row would be sent, the window is named with when it opens; the real run sends none", async () => {
    const { sim, f } = await setup(60, { window: windowExcludingNow() });
    const dry = await runCli(["run", f.campaignPath, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(wouldSend(dry.stdout)).toEqual([]);
    expect(dry.stdout).toMatch(/Would send: 0 now/);
    expect(dry.stdout).toMatch(/Held: +60 — 60 contact\(s\) are outside the send window \(UTC\); it opens next at \d{4}-\d\d-\d\dT/);
    const real = await runCli(["run", f.campaignPath, "--studio-url", sim.url]);
    expect(real.code).toBe(75);
    expect(sim.stats.createArrivals).toHaveLength(0);
  });

  it("with a daily cap of 25: it lists 25, names the cap and when it resets, and the real run sends exactly those 25", async () => {
    const { sim, f } = await setup(60, { rate: { maxPerDay: 25 } });
    const dry = await runCli(["run", f.campaignPath, "--dry-run"]);
    expect(dry.code).toBe(0);
    const listed = wouldSend(dry.stdout);
    expect(listed).toHaveLength(25);
    expect(dry.stdout).toMatch(/Held: +35 — daily cap reached: rate\.maxPerDay 25.*the next day starts at \d{4}-\d\d-\d\dT/);
    const real = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--json"]);
    expect(real.code).toBe(75);
    const created = parseCsv((await runCli(["report", f.campaignPath])).stdout).filter((r) => r.status === "created");
    expect(created.map((r) => Number(r.row))).toEqual(listed);
    // The same day, again: nothing would be sent (the cap is counted from the ledger), and nothing is.
    const again = await runCli(["run", f.campaignPath, "--dry-run"]);
    expect(wouldSend(again.stdout)).toEqual([]);
    expect(again.stdout).toMatch(/Held: +35 — daily cap reached/);
  });

  it("with --limit 10: it lists the 10 the real run with --limit 10 sends", async () => {
    const { sim, f } = await setup(30);
    const dry = await runCli(["run", f.campaignPath, "--dry-run", "--limit", "10"]);
    const listed = wouldSend(dry.stdout);
    expect(listed).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(dry.stdout).toMatch(/Held: +20 — --limit 10 reached; 20 contact\(s\) left for the next run/);
    expect((await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--limit", "10"])).code).toBe(75);
    expect(sim.executions().map((e) => e.to)).toEqual(phoneNumbers(10));
  });

  it("a contact in doubt is settled first, never listed as would send", async () => {
    const { f } = await setup(3);
    // A run killed after its first attempt line: row 1 is in doubt.
    const at = new Date().toISOString();
    const header = { t: "campaign", v: 1, name: "test-campaign", flowSid: "FW0123456789abcdef0123456789abcdef", from: "+15017122661" };
    await appendFile(
      f.ledgerPath,
      `${JSON.stringify({ ...header, account: "AC1234567890abcdef1234567890abcdef", at })}\n` +
        `${JSON.stringify({ t: "attempt", row: 1, to: phoneNumbers(1)[0], from: "+15017122661", n: 1, at })}\n`,
    );
    const dry = await runCli(["run", f.campaignPath, "--dry-run"]);
    expect(wouldSend(dry.stdout)).toEqual([2, 3]);
    expect(dry.stdout).toMatch(/Would send: 2 now, after settling 1 in doubt/);
  });
});
