import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCampaign } from "../../../src/campaign/load-campaign.js";
import { systemClock, type Clock } from "../../../src/clock.js";
import type { RunSummary } from "../../../src/engine/run/run-events.js";
import { startSimulator, type Simulator } from "../../../src/simulator/server.js";
import { makeFixture, parseCsv, runCli, type Fixture } from "../../helpers/cli.js";
import { SIMULATOR_CREDENTIALS, childEnv } from "../../helpers/env.js";
import { runInProcess } from "../../helpers/run.js";

/**
 * A standing tick parses only the rows of a re-export that changed (docs/reference.md §16): the
 * same ticks run on two copies of one campaign — one keeping the rows' cache, one made to read
 * every row each tick — send the same reminders, count the same, and report the same.
 */
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const CAMPAIGN = {
  schedule: {
    key: "appointment_id",
    at: "appointment_at",
    reminders: [
      { name: "day-before", before: "1d", time: "18:00" },
      { name: "two-hours", before: "2h" },
    ],
  },
  window: { timezone: "America/New_York", start: "00:00", end: "24:00" },
  exclude: { Status: ["Cancelled"] },
};

type Row = [id: string, to: string, at: string, status?: string | undefined];
const csv = (rows: Row[]) =>
  `appointment_id,to,appointment_at,first_name,Status\n${rows
    .map(([id, to, at, status]) => `${id},${to},${at},"Pat ""${id}"", Jr",${status ?? "Booked"}`)
    .join("\n")}\n`;

// New York appointments from Thursday 3 December 2026 (EST, UTC−5), one a day at 10:00 and at 16:00.
const ROWS: Row[] = Array.from({ length: 12 }, (_, i) => [
  `A${i + 1}`,
  `+1415555${String(1000 + i)}`,
  `2026-12-${String(3 + Math.floor(i / 2)).padStart(2, "0")}T${i % 2 ? "16" : "10"}:00`,
  i === 7 ? "Cancelled" : undefined,
]);

interface Copy {
  f: Fixture;
  sim: Simulator;
  /** Read every row each tick: the cache is removed before it. */
  whole: boolean;
}

async function copy(whole: boolean): Promise<Copy> {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, autoEndMs: 1 });
  const f = await makeFixture(csv(ROWS), CAMPAIGN);
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  return { f, sim, whole };
}

const at = (iso: string): Clock => ({ now: () => Date.parse(iso), sleep: systemClock.sleep });

async function tick(c: Copy, iso: string, rows?: Row[]): Promise<RunSummary> {
  if (rows) await writeFile(path.join(c.f.dir, "contacts.csv"), csv(rows));
  if (c.whole) await rm(`${c.f.ledgerPath}.rows`, { force: true });
  return runInProcess(await loadCampaign(c.f.campaignPath), c.sim.url, { clock: at(iso) });
}

const sent = (c: Copy) => c.sim.executions().map((e) => `${String(e.parameters?.appointment_id)} ${String(e.parameters?.reminder)}`);
const plan = (summary: RunSummary) => {
  const { unchangedRows: _, ...schedule } = summary.schedule ?? {};
  return { counts: summary.counts, schedule, stopped: summary.stopped };
};
async function report(c: Copy) {
  const rows = parseCsv((await runCli(["report", c.f.campaignPath], { env: childEnv() })).stdout);
  return rows.map((r) => `${r.key}|${r.reminder}|${r.appointment_at}|${r.status}|${r.error_message}`).sort();
}

describe("a re-export parses only its changed rows (docs/reference.md §16)", () => {
  it("reordered, one moved, one added, one removed: the unchanged rows are not parsed, and every tick plans, sends and reports as a reading of every row does", async () => {
    const [cached, whole] = [await copy(false), await copy(true)];
    const both = async (iso: string, rows?: Row[]) => {
      const [a, b] = [await tick(cached, iso, rows), await tick(whole, iso, rows)];
      expect(plan(a)).toEqual(plan(b));
      expect(sent(cached)).toEqual(sent(whole));
      return a;
    };
    // 1 Dec: nothing due. The first tick reads every row.
    expect((await both("2026-12-01T12:00:00Z")).schedule?.unchangedRows).toBeUndefined();
    // The booking system exports again: every row in another order, A3 moved a day, A13 added, A5 gone.
    const moved: Row = ["A3", ROWS[2]![1], "2026-12-05T09:30"];
    const again = [
      ...ROWS.filter(([id]) => id !== "A5" && id !== "A3"),
      moved,
      ["A13", "+14155551099", "2026-12-09T11:00"] as Row,
    ].reverse();
    const first = await both("2026-12-01T12:05:00Z", again);
    // 12 rows: A3 and A13 parsed; the other 10 (the excluded A8 among them) as the last tick left them.
    expect(first.schedule?.unchangedRows).toBe(10);
    expect(first.schedule).toMatchObject({ cancelled: 2, due: 0 });
    // 2 Dec 23:05Z: the day-before reminders of 3 December's appointments come due on rows the cache holds.
    const due = await both("2026-12-02T23:05:00Z");
    expect(sent(cached)).toEqual(["A2 day-before", "A1 day-before"]);
    expect(due.schedule?.unchangedRows).toBe(10); // A1, A2 parsed (due); A3, A13 cached since the last tick
    // The same export later on: each reminder once, in both.
    await both("2026-12-03T13:05:00Z");
    await both("2026-12-04T23:05:00Z");
    // A1's two-hours reminder at 13:05Z; on 4 December the day-before ones of the 5th (A3 moved there, A6).
    expect(sent(cached)).toEqual(["A2 day-before", "A1 day-before", "A1 two-hours", "A3 day-before", "A6 day-before"]);
    expect(await report(cached)).toEqual(await report(whole));
  });
});
