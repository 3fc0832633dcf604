import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCampaign } from "../../../src/campaign/load-campaign.js";
import type { RunSummary } from "../../../src/engine/run/run-events.js";
import type { Clock } from "../../../src/clock.js";
import { systemClock } from "../../../src/clock.js";
import { startSimulator, type Simulator } from "../../../src/simulator/server.js";
import type { SimulatorOptions } from "../../../src/simulator/options.js";
import { makeFixture, parseCsv, runCli, type Fixture } from "../../helpers/cli.js";
import { SIMULATOR_CREDENTIALS, childEnv } from "../../helpers/env.js";
import { runInProcess, type InProcessRun } from "../../helpers/run.js";

/**
 * A standing campaign over a sequence of snapshots (docs/reference.md §16), in-process on an injected clock:
 * each "tick" is a cron run at a chosen instant against the simulator; the export is rewritten
 * between ticks as a booking system does.
 */
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SCHEDULE = {
  key: "appointment_id",
  at: "appointment_at",
  reminders: [
    { name: "day-before", before: "1d", time: "18:00" },
    { name: "two-hours", before: "2h" },
  ],
  minLead: "1h",
};

type Row = [id: string, to: string, at: string];
const csv = (rows: Row[]) =>
  `appointment_id,to,appointment_at,first_name\n${rows.map(([id, to, at]) => `${id},${to},${at},Pat ${id}`).join("\n")}\n`;

async function setup(rows: Row[], campaign: Record<string, unknown> = {}, sim: SimulatorOptions = {}) {
  // Executions end at once (a reminder's flow sends one message), unless a test keeps the number busy.
  const simulator = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, autoEndMs: 1, ...sim });
  const f = await makeFixture(csv(rows), {
    schedule: SCHEDULE,
    window: { timezone: "America/New_York", start: "00:00", end: "24:00" },
    ...campaign,
  });
  cleanups.push(
    () => simulator.close(),
    () => f.cleanup(),
  );
  return { sim: simulator, f };
}

const at = (iso: string): Clock => ({ now: () => Date.parse(iso), sleep: systemClock.sleep });

async function tick(f: Fixture, sim: Simulator, iso: string, options: InProcessRun = {}): Promise<RunSummary> {
  return runInProcess(await loadCampaign(f.campaignPath), sim.url, { clock: at(iso), ...options });
}

const sent = (sim: Simulator) =>
  sim.executions().map((e) => `${e.to} ${String(e.parameters?.appointment_id)} ${String(e.parameters?.reminder)}`);

async function report(f: Fixture) {
  return parseCsv((await runCli(["report", f.campaignPath], { env: childEnv() })).stdout);
}

// New York appointments on Thursday 3 December 2026 (EST, UTC−5).
const A1: Row = ["A1", "+14155551000", "2026-12-03T10:00"]; // 15:00Z: day-before due 2 Dec 23:00Z, two-hours 13:00Z
const A2: Row = ["A2", "+14155551000", "2026-12-10T10:00"]; // the same person, a week later
const B1: Row = ["B1", "+14155551001", "2026-12-03T16:00"]; // 21:00Z

describe("reminders on a schedule, tick by tick (docs/reference.md §16)", () => {
  it("sends exactly the reminders due, each once, keyed by appointment — not by phone — with its name in the Parameters", async () => {
    const { sim, f } = await setup([A1, A2, B1]);
    // 2 Dec 20:00Z: nothing due yet (the day-before reminders are due at 18:00 New York, 23:00Z).
    let summary = await tick(f, sim, "2026-12-02T20:00:00Z");
    expect(sim.executions()).toHaveLength(0);
    expect(summary.schedule).toMatchObject({ due: 0, sent: 0, later: 6, nextDueAt: "2026-12-02T18:00:00-05:00", nextDueCount: 2 });
    expect(summary.counts.pending).toBe(0); // reminders due later are not work left: exit 0
    // 2 Dec 23:05Z: A1's and B1's day-before reminders.
    summary = await tick(f, sim, "2026-12-02T23:05:00Z");
    expect(sent(sim)).toEqual(["+14155551000 A1 day-before", "+14155551001 B1 day-before"]);
    expect(summary.schedule).toMatchObject({ due: 2, sent: 2, later: 4 });
    // The same tick again sends nothing.
    await tick(f, sim, "2026-12-02T23:06:00Z");
    expect(sim.executions()).toHaveLength(2);
    // 3 Dec 13:30Z: A1's two-hours reminder; A2 (a week later, the same phone) is its own appointment.
    summary = await tick(f, sim, "2026-12-03T13:30:00Z");
    expect(sent(sim).slice(2)).toEqual(["+14155551000 A1 two-hours"]);
    expect(summary.schedule).toMatchObject({ sent: 1, nextDueAt: "2026-12-03T14:00:00-05:00" }); // B1's two-hours
    const rows = await report(f);
    expect(rows.filter((r) => r.key === "A2").map((r) => [r.reminder, r.status, r.due_at])).toEqual([
      ["day-before", "pending", "2026-12-09T18:00:00-05:00"],
      ["two-hours", "pending", "2026-12-10T08:00:00-05:00"],
    ]);
  });

  it("a re-export: a removed appointment's reminders are cancelled, never sent; a moved one is reminded again for its new time, once", async () => {
    const { sim, f } = await setup([A1, B1]);
    await tick(f, sim, "2026-12-02T23:05:00Z"); // both day-before reminders
    expect(sim.executions()).toHaveLength(2);
    // The booking system exports again: rows reordered, A1 cancelled, B1 moved to Friday 4 December 16:00.
    const B1moved: Row = ["B1", "+14155551001", "2026-12-04T16:00"];
    await writeFile(path.join(f.dir, "contacts.csv"), csv([B1moved]));
    let summary = await tick(f, sim, "2026-12-03T13:30:00Z"); // A1's two-hours would have been due
    expect(sim.executions()).toHaveLength(2);
    expect(summary.schedule).toMatchObject({ cancelled: 1, due: 0 });
    // B1's day-before reminder for its new time (3 Dec 23:00Z) and its two-hours one (4 Dec 19:00Z).
    summary = await tick(f, sim, "2026-12-03T23:10:00Z");
    expect(sent(sim).slice(2)).toEqual(["+14155551001 B1 day-before"]);
    await tick(f, sim, "2026-12-04T19:30:00Z");
    await tick(f, sim, "2026-12-04T19:31:00Z");
    expect(sent(sim).slice(2)).toEqual(["+14155551001 B1 day-before", "+14155551001 B1 two-hours"]);
    const rows = await report(f);
    const line = (r: Record<string, string>) => `${r.row}|${r.key}|${r.reminder}|${r.appointment_at}|${r.status}`;
    expect(rows.map(line)).toEqual([
      "1|B1|day-before|2026-12-04T16:00:00-05:00|created",
      "1|B1|two-hours|2026-12-04T16:00:00-05:00|created",
      // The others, with no row: the reminder sent for B1's earlier time, and A1's cancelled ones.
      "|A1|day-before|2026-12-03T10:00:00-05:00|created",
      "|A1|two-hours|2026-12-03T10:00:00-05:00|cancelled",
      "|B1|day-before|2026-12-03T16:00:00-05:00|created",
    ]);
    // A1 comes back: its pending reminder is pending again (and past its deadline by then: expired, never sent late).
    await writeFile(path.join(f.dir, "contacts.csv"), csv([A1, B1moved]));
    summary = await tick(f, sim, "2026-12-03T14:30:00Z");
    expect(sim.executions()).toHaveLength(4);
    expect(summary.schedule).toMatchObject({ cancelled: 0, expired: 1 });
  });

  it("a busy number: the second reminder due at once waits (409, onConflict wait) and goes on a later tick, before its deadline", async () => {
    // Two appointments of one person, both reminded at 18:00 on 2 December; each Execution lasts a minute.
    const C1: Row = ["C1", "+14155552000", "2026-12-03T10:00"];
    const C2: Row = ["C2", "+14155552000", "2026-12-03T15:00"];
    const { sim, f } = await setup([C1, C2], {}, { autoEndMs: 60_000 });
    let summary = await tick(f, sim, "2026-12-02T23:05:00Z");
    expect(sent(sim)).toEqual(["+14155552000 C1 day-before"]);
    expect(summary.schedule).toMatchObject({ due: 2, sent: 1, waiting: 1 });
    expect(summary.counts.pending).toBe(1); // due work left: exit 75
    expect(sim.stats.conflicts).toBe(1);
    // Once the first Execution has ended, the next tick sends the one that waited; never twice.
    sim.configure({ latencyMs: 0 });
    await new Promise((r) => setTimeout(r, 10));
    const ended = sim.executions()[0]!;
    ended.endedAt = Date.now() - 1;
    summary = await tick(f, sim, "2026-12-02T23:10:00Z");
    expect(sent(sim)).toEqual(["+14155552000 C1 day-before", "+14155552000 C2 day-before"]);
    expect(summary.schedule).toMatchObject({ sent: 1, waiting: 0 });
    const rows = await report(f);
    expect(rows.filter((r) => r.reminder === "day-before").map((r) => r.status)).toEqual(["created", "created"]);
  });

  it("never late: past its deadline a reminder is expired; a row added after its due time is sent at once while its deadline allows", async () => {
    const D1: Row = ["D1", "+14155553000", "2026-12-03T10:00"]; // two-hours: due 13:00Z, deadline (minLead 1h) 14:00Z
    const { sim, f } = await setup([D1], {}, { autoEndMs: 60_000 });
    // The cron job was down all evening: at 13:30Z the day-before (its deadline is minLead before the appointment,
    // 14:00Z) still goes, late but useful; the two-hours is due too, and waits for the number.
    let summary = await tick(f, sim, "2026-12-03T13:30:00Z");
    expect(sent(sim)).toEqual(["+14155553000 D1 day-before"]);
    expect(summary.schedule).toMatchObject({ due: 2, sent: 1, waiting: 1 });
    // At 14:00Z, its deadline, the number is free again: the two-hours reminder is never sent late.
    sim.executions()[0]!.endedAt = Date.now() - 1;
    summary = await tick(f, sim, "2026-12-03T14:00:00Z");
    expect(sim.executions()).toHaveLength(1);
    expect(summary.schedule).toMatchObject({ expired: 1, sent: 0 });
    expect(summary.counts.pending).toBe(0);
    // A row added after its reminders' due times: sent at once where the deadline allows (D2), never where it has passed (D3).
    const D2: Row = ["D2", "+14155553001", "2026-12-04T10:00"]; // two-hours due 13:00Z, deadline 14:00Z
    const D3: Row = ["D3", "+14155553002", "2026-12-04T08:00"]; // deadlines 12:00Z
    await writeFile(path.join(f.dir, "contacts.csv"), csv([D1, D2, D3]));
    summary = await tick(f, sim, "2026-12-04T13:10:00Z");
    expect(sent(sim).slice(1)).toEqual(["+14155553001 D2 day-before"]);
    expect(summary.schedule).toMatchObject({ sent: 1, waiting: 1, expired: 2 });
    const rows = await report(f);
    expect(rows.filter((r) => r.key === "D3").map((r) => [r.status, r.error_message])).toEqual([
      ["expired", "its deadline (2026-12-04T12:00:00.000Z) passed before it was sent: never sent"],
      ["expired", "its deadline (2026-12-04T12:00:00.000Z) passed before it was sent: never sent"],
    ]);
  });

  it("a due reminder inside a closed window is held (exit 75) and sent when it opens, if its deadline allows", async () => {
    // A window 09:00–17:00 New York: a 18:00 day-before reminder is due while it is closed, and waits for the morning.
    const E1: Row = ["E1", "+14155554000", "2026-12-03T15:00"]; // day-before due 2 Dec 23:00Z; deadline (minLead) 3 Dec 19:00Z
    const { sim, f } = await setup([E1], { window: { timezone: "America/New_York", start: "09:00", end: "17:00" } });
    let summary = await tick(f, sim, "2026-12-02T23:05:00Z");
    expect(sim.executions()).toHaveLength(0);
    expect(summary.stopped).toBe("window");
    expect(summary.counts.pending).toBe(1);
    summary = await tick(f, sim, "2026-12-03T14:05:00Z"); // 09:05 in New York
    expect(sent(sim)).toEqual(["+14155554000 E1 day-before"]);
  });

  it("a tick with the export, the ledger and the campaign unchanged before the next due time reads nothing; any change, or that time, and it reads all", async () => {
    const { sim, f } = await setup([A1, B1]);
    let summary = await tick(f, sim, "2026-12-02T20:00:00Z");
    expect(summary.schedule).toMatchObject({ later: 4, nextDueAt: "2026-12-02T18:00:00-05:00" });
    expect(summary.schedule?.unchanged).toBeUndefined();
    summary = await tick(f, sim, "2026-12-02T22:59:00Z");
    expect(summary.schedule).toMatchObject({ unchanged: true, later: 4, nextDueAt: "2026-12-02T18:00:00-05:00", nextDueCount: 2 });
    // A re-export (a row added whose reminders are past due, the deadline still ahead): read at once, sent.
    const late: Row = ["C9", "+14155559000", "2026-12-02T20:00"]; // 3 Dec 01:00Z: day-before due 1 Dec 23:00Z, deadline 3 Dec 00:00Z
    await writeFile(path.join(f.dir, "contacts.csv"), csv([A1, B1, late]));
    summary = await tick(f, sim, "2026-12-02T22:59:30Z");
    expect(summary.schedule?.unchanged).toBeUndefined();
    expect(sent(sim)).toEqual(["+14155559000 C9 day-before"]);
    // The next due time comes: read in full, the due ones sent.
    summary = await tick(f, sim, "2026-12-02T23:00:00Z");
    expect(summary.schedule?.unchanged).toBeUndefined();
    expect(sent(sim).slice(1).sort()).toEqual(["+14155551000 A1 day-before", "+14155551001 B1 day-before", "+14155559000 C9 two-hours"]);
    expect((await tick(f, sim, "2026-12-02T23:01:00Z")).schedule?.unchanged).toBe(true);
    // Another command wrote to the ledger (the Executions' statuses): read in full.
    const status = await runCli(["status", f.campaignPath], { env: { ...childEnv(), STUDIO_BASE_URL: sim.url } });
    expect(status.code).toBe(0);
    expect((await tick(f, sim, "2026-12-02T23:02:00Z")).schedule?.unchanged).toBeUndefined();
    expect((await tick(f, sim, "2026-12-02T23:03:00Z")).schedule?.unchanged).toBe(true);
    // Only the pace changed (rate, retry, as a --rate on the cron line would): still nothing to read.
    const paced = JSON.parse(await readFile(f.campaignPath, "utf8")) as Record<string, unknown>;
    await writeFile(f.campaignPath, JSON.stringify({ ...paced, rate: { perSecond: 5, concurrency: 2 }, retry: { maxAttempts: 3 } }));
    expect((await tick(f, sim, "2026-12-02T23:03:30Z")).schedule?.unchanged).toBe(true);
    // The campaign file edited (a reminder added): read in full, and the new reminder is due at once.
    const edited = { ...SCHEDULE, reminders: [...SCHEDULE.reminders, { name: "four-hours", before: "4h" }] };
    const campaign = JSON.parse(await readFile(f.campaignPath, "utf8")) as Record<string, unknown>;
    await writeFile(f.campaignPath, JSON.stringify({ ...campaign, schedule: edited }));
    summary = await tick(f, sim, "2026-12-03T11:30:00Z"); // A1 at 15:00Z: four-hours due 11:00Z
    expect(summary.schedule?.unchanged).toBeUndefined();
    expect(sent(sim).slice(4)).toEqual(["+14155551000 A1 four-hours"]);
    expect(sim.executions()).toHaveLength(5);
  });
});

/** `n` appointments, one person each, on Thursday 10 December 2026 (New York), from `first`. */
const many = (n: number, first = 0): Row[] =>
  Array.from({ length: n }, (_, i) => [`M${first + i}`, `+1415556${String(first + i).padStart(4, "0")}`, "2026-12-10T10:00"]);

describe("an export that shrank, and rows a Status column excludes (docs/reference.md §17)", () => {
  const FIRST_TICK = "2026-12-02T12:00:00Z"; // nothing due: every appointment recorded
  const NEXT_TICK = "2026-12-02T12:05:00Z";

  it("30 of 40 missing: nothing cancelled, the tick holds them and stops (exit 75); --accept-cancel cancels them; the next tick goes on", async () => {
    const { sim, f } = await setup(many(40));
    expect((await tick(f, sim, FIRST_TICK)).schedule).toMatchObject({ later: 80, cancelled: 0 });
    await writeFile(path.join(f.dir, "contacts.csv"), csv(many(10)));
    const held = await tick(f, sim, NEXT_TICK);
    expect(held.stopped).toBe("export");
    expect(held.stopMessage).toContain(
      "the export lost 30 of 40 appointments with reminders to come since the last tick; nothing was cancelled (a partial export?). " +
        "If it is right: run --accept-cancel (60 reminder(s) held)",
    );
    expect(held.schedule).toMatchObject({ cancelled: 0 });
    expect(held.counts).toMatchObject({ cancelled: 0, pending: 60 });
    // The report keeps them pending: not cancelled until a tick says so.
    const during = await report(f);
    expect(during.filter((r) => r.status === "cancelled")).toEqual([]);
    expect(during.filter((r) => r.status === "pending" && r.row === "")).toHaveLength(60);
    const accepted = await tick(f, sim, NEXT_TICK, { acceptCancel: true });
    expect(accepted.stopped).toBeUndefined();
    expect(accepted.schedule).toMatchObject({ cancelled: 60 });
    const after = await tick(f, sim, "2026-12-02T12:10:00Z");
    expect(after.stopped).toBeUndefined();
    expect((await report(f)).filter((r) => r.status === "cancelled")).toHaveLength(60);
    expect(sim.executions()).toHaveLength(0);
  });

  it("2 of 40 missing: cancelled at once; a header-only export holds everything", async () => {
    const { sim, f } = await setup(many(40));
    await tick(f, sim, FIRST_TICK);
    await writeFile(path.join(f.dir, "contacts.csv"), csv(many(38)));
    const ordinary = await tick(f, sim, NEXT_TICK);
    expect(ordinary.stopped).toBeUndefined();
    expect(ordinary.schedule).toMatchObject({ cancelled: 4 });
    await writeFile(path.join(f.dir, "contacts.csv"), csv([]));
    const empty = await tick(f, sim, "2026-12-02T12:10:00Z");
    expect(empty.stopped).toBe("export");
    expect(empty.stopMessage).toContain("the export lost 38 of 38 appointments");
  });

  it("a Status column: a cancelled appointment is never reminded, a live one cancelled later gets no more, with the reason in the report", async () => {
    const withStatus = (rows: Array<[...Row, string]>) =>
      `appointment_id,to,appointment_at,first_name,Status\n${rows.map(([id, to, at, s]) => `${id},${to},${at},Pat ${id},${s}`).join("\n")}\n`;
    const { sim, f } = await setup([], { exclude: { Status: ["Cancelled", "No Show"] } });
    await writeFile(
      path.join(f.dir, "contacts.csv"),
      withStatus([
        [...A1, "Booked"],
        [...B1, " cancelled "],
      ]),
    );
    const first = await tick(f, sim, "2026-12-02T23:05:00Z"); // both day-before reminders due
    expect(sent(sim)).toEqual(["+14155551000 A1 day-before"]);
    expect(first.counts).toMatchObject({ excluded: 1 });
    await writeFile(
      path.join(f.dir, "contacts.csv"),
      withStatus([
        [...A1, "Cancelled"],
        [...B1, "cancelled"],
      ]),
    );
    const second = await tick(f, sim, "2026-12-03T13:05:00Z"); // A1's two-hours would be due
    expect(sent(sim)).toEqual(["+14155551000 A1 day-before"]);
    expect(second.stopped).toBeUndefined();
    expect(second.schedule).toMatchObject({ cancelled: 1 });
    const rows = await report(f);
    expect(rows.filter((r) => r.status === "excluded").map((r) => `${r.row} ${r.error_message}`)).toEqual([
      '1 Status is "Cancelled"',
      '2 Status is "cancelled"',
    ]);
    expect(rows.filter((r) => r.status === "cancelled").map((r) => `${r.key} ${r.reminder} ${r.error_message}`)).toEqual([
      'A1 two-hours cancelled: Status is "Cancelled"',
    ]);
  });

  it("excluded rows never count toward maxCancel: 30 of 40 cancelled by their Status go at once", async () => {
    const { sim, f } = await setup(many(40), { exclude: { Status: ["Cancelled"] } });
    const statusCsv = (cancelled: number) =>
      `appointment_id,to,appointment_at,first_name,Status\n${many(40)
        .map(([id, to, at], i) => `${id},${to},${at},Pat,${i < cancelled ? "Cancelled" : "Booked"}`)
        .join("\n")}\n`;
    await writeFile(path.join(f.dir, "contacts.csv"), statusCsv(0));
    await tick(f, sim, FIRST_TICK);
    await writeFile(path.join(f.dir, "contacts.csv"), statusCsv(30));
    const summary = await tick(f, sim, NEXT_TICK);
    expect(summary.stopped).toBeUndefined();
    expect(summary.schedule).toMatchObject({ cancelled: 60 });
    expect(summary.counts).toMatchObject({ excluded: 30 });
  });
});

describe("a re-reading is not a move (docs/reference.md §17)", () => {
  it("the campaign's zone changes on the same export: the reminder already sent is not sent again, the unsent one follows the new reading", async () => {
    const { sim, f } = await setup([A1]);
    await tick(f, sim, "2026-12-02T23:05:00Z"); // New York: day-before due 2 Dec 18:00 EST
    expect(sent(sim)).toEqual(["+14155551000 A1 day-before"]);
    // The operator corrects the zone: the same cells, 10:00, are now 10:00 in Los Angeles (18:00Z).
    const file = JSON.parse(await readFile(f.campaignPath, "utf8")) as Record<string, unknown>;
    await writeFile(f.campaignPath, JSON.stringify({ ...file, window: { timezone: "America/Los_Angeles", start: "00:00", end: "24:00" } }));
    // validate (as at the next tick) and the tick say how many appointments were re-read; the tick after, none.
    const what = await runCli(["validate", f.campaignPath, "--at", "2026-12-03T02:05:00Z", "--json"], { env: childEnv() });
    expect(JSON.parse(what.stdout)).toMatchObject({ reread: 1, toSend: 0 });
    const reread = await tick(f, sim, "2026-12-03T02:05:00Z"); // the day-before reminder of the new reading (2 Dec 18:00 PST) would be due
    expect(reread.schedule?.reread).toBe(1);
    expect((await tick(f, sim, "2026-12-03T13:05:00Z")).schedule?.reread).toBeUndefined(); // the two-hours reminder of the old reading would be due
    expect(sent(sim)).toEqual(["+14155551000 A1 day-before"]);
    await tick(f, sim, "2026-12-03T16:05:00Z"); // the two-hours reminder of the new reading (16:00Z)
    expect(sent(sim)).toEqual(["+14155551000 A1 day-before", "+14155551000 A1 two-hours"]);
    await tick(f, sim, "2026-12-03T16:10:00Z");
    expect(sim.executions()).toHaveLength(2);
    const rows = await report(f);
    expect(rows.map((r) => `${r.key} ${r.reminder} ${r.appointment_at} ${r.status}`)).toEqual([
      "A1 day-before 2026-12-03T10:00:00-08:00 created",
      "A1 two-hours 2026-12-03T10:00:00-08:00 created",
    ]);
  });

  it("the cells change: a move, reminded again for the new time", async () => {
    const { sim, f } = await setup([A1]);
    await tick(f, sim, "2026-12-02T23:05:00Z");
    await writeFile(path.join(f.dir, "contacts.csv"), csv([["A1", "+14155551000", "2026-12-04T10:00"]]));
    await tick(f, sim, "2026-12-03T23:05:00Z");
    expect(sent(sim)).toEqual(["+14155551000 A1 day-before", "+14155551000 A1 day-before"]);
  });
});

describe("what the operator reads of reminders held by the window (docs/reference.md §17)", () => {
  it("due reminders held by the window count as due, and those that expire before it opens are named", async () => {
    // A window 08:00–20:00 New York. At 05:00 on 3 December A1's day-before reminder (due 2 Dec 18:00, within 12h) is
    // still due but held; its deadline, 06:00, comes before the window opens at 08:00.
    const { sim, f } = await setup([A1], {
      window: { timezone: "America/New_York", start: "08:00", end: "20:00" },
      schedule: {
        ...SCHEDULE,
        reminders: [
          { name: "day-before", before: "1d", time: "18:00", within: "12h" },
          { name: "two-hours", before: "2h" },
        ],
      },
    });
    const summary = await tick(f, sim, "2026-12-03T10:00:00Z"); // 05:00 in New York
    expect(sim.executions()).toHaveLength(0);
    expect(summary.schedule).toMatchObject({ due: 1, sent: 0, held: 1, expiring: 1 });
    expect(summary.stopped).toBe("window");
    expect(summary.stopMessage).toMatch(
      /^1 reminder\(s\) are outside the send window \(America\/New_York\); it opens next at 2026-12-03T08:00:00-05:00 \(1 of them expire before it opens: never sent late\)/,
    );
  });
});
