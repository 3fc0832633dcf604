import { afterAll, describe, expect, it } from "vitest";
import { loadCampaign } from "../../../src/campaign/load-campaign.js";
import { systemClock, type Clock } from "../../../src/clock.js";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Simulator } from "../../../src/simulator/server.js";
import type { Fixture } from "../../helpers/cli.js";
import { runInProcess } from "../../helpers/run.js";
import { exportFixture } from "../../helpers/export.js";

/**
 * Three exports as booking systems write them (docs/reference.md §17), each run as a standing
 * campaign with only a campaign file, tick by tick on an injected clock: exactly the due
 * reminders of live appointments are sent, never one of a cancelled appointment.
 */
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const REMINDERS = [
  { name: "day-before", before: "1d", time: "18:00" },
  { name: "two-hours", before: "2h" },
];

const setup = (bytes: Buffer, campaign: Record<string, unknown>) => exportFixture(bytes, campaign, cleanups, { autoEndMs: 1 });

const at = (iso: string): Clock => ({ now: () => Date.parse(iso), sleep: systemClock.sleep });
const tick = async (f: Fixture, sim: Simulator, iso: string) =>
  runInProcess(await loadCampaign(f.campaignPath), sim.url, { clock: at(iso) });
const sent = (sim: Simulator) => sim.executions().map((e) => `${e.to} ${String(e.parameters?.reminder)}`);

describe("exports as booking systems write them, each with only a campaign file", () => {
  it("a US practice-management export: two date columns with AM/PM, (415) numbers, a Status column, CRLF, windows-1252", async () => {
    const lines = [
      "Appt ID,Patient First,Cell Phone,Appt Date,Appt Time,Provider,Status,Language",
      "100241,Jos\u00e9,(415) 555-0141,12/04/2026,9:30 AM,Dr Lee,Confirmed,es-US",
      "100244,Ann,(415) 555-0144,12/04/2026,3:25 pm,Dr Lee,Cancelled,",
      "100245,Bo,(415) 555-0145,12/05/2026,10:00 AM,Dr Wu,Booked,",
    ];
    const { sim, f } = await setup(Buffer.from(`${lines.join("\r\n")}\r\n`, "latin1"), {
      defaultRegion: "US",
      csv: { encoding: "windows-1252" },
      dateFormat: "MM/dd/yyyy h:mm a",
      columns: { to: "Cell Phone", parameters: ["Provider"], locale: "Language" },
      exclude: { Status: ["Cancelled"] },
      window: { timezone: "America/Los_Angeles", start: "07:00", end: "21:00" },
      schedule: {
        key: "Appt ID",
        at: { date: "Appt Date", time: "Appt Time" },
        display: { appointment_time: "EEEE d MMMM, h:mm a" },
        reminders: REMINDERS,
      },
    });
    // 3 Dec 18:05 in Los Angeles: the day-before reminders of 4 December's appointments.
    const first = await tick(f, sim, "2026-12-04T02:05:00Z");
    expect(sent(sim)).toEqual(["+14155550141 day-before"]);
    expect(first.counts).toMatchObject({ invalid: 0, excluded: 1 });
    // 07:35: 100241's two-hours reminder (09:30 − 2 h); 13:30: 100244's would be due, but it is cancelled.
    await tick(f, sim, "2026-12-04T15:35:00Z");
    await tick(f, sim, "2026-12-04T21:30:00Z");
    expect(sent(sim)).toEqual(["+14155550141 day-before", "+14155550141 two-hours"]);
    // The time as the patient reads it: in the appointment's zone, in the row's language.
    expect(sim.executions()[0]!.parameters).toEqual({
      Provider: "Dr Lee",
      reminder: "day-before",
      appointment_time: "viernes 4 diciembre, 9:30 a.m.",
    });
  });

  it("a UK export: semicolons, a BOM, dd/MM/yyyy, national 07… mobiles, a name with a comma", async () => {
    const lines = [
      "Appointment Ref;Patient;Date;Time;Mobile;Clinician;Surgery;Status",
      'A-1;"Smith, Ann";04/12/2026;09:30;07911 123456;Dr Patel;High St;Booked',
      'A-2;"Jones, Bo";05/12/2026;14:00;07911 123457;Dr Patel;High St;Booked',
    ];
    const { sim, f } = await setup(Buffer.from(`\ufeff${lines.join("\n")}\n`), {
      defaultRegion: "GB",
      dateFormat: "dd/MM/yyyy HH:mm",
      columns: { to: "Mobile", parameters: ["Patient", "Surgery"] },
      exclude: { Status: ["Cancelled", "DNA"] },
      locale: "en-GB",
      window: { timezone: "Europe/London", start: "08:00", end: "20:00" },
      schedule: {
        key: "Appointment Ref",
        at: { date: "Date", time: "Time" },
        display: { when: "EEEE d MMMM, HH:mm" },
        reminders: REMINDERS,
      },
    });
    const first = await tick(f, sim, "2026-12-03T18:05:00Z"); // 18:05 GMT on 3 December
    expect(first.counts, JSON.stringify(first)).toMatchObject({ invalid: 0 });
    expect(sent(sim)).toEqual(["+447911123456 day-before"]);
    expect(sim.executions()[0]!.parameters).toMatchObject({ Patient: "Smith, Ann", Surgery: "High St", when: "Friday 4 December, 09:30" });
  });

  it("a calendar export: ISO times with Z and offsets, a lowercase status column, some rows without a phone", async () => {
    const lines = [
      "uid,summary,dtstart,attendee_phone,status",
      "e1,Checkup,2026-12-04T15:30:00Z,+14155550161,CONFIRMED",
      "e2,Cleaning,2026-12-04T09:00:00-08:00,+14155550162,CANCELLED",
      "e3,Call,2026-12-04T10:00:00-05:00,,CONFIRMED",
    ];
    const { sim, f } = await setup(Buffer.from(`${lines.join("\n")}\n`), {
      columns: { to: "attendee_phone", parameters: ["summary"] },
      exclude: { status: ["cancelled"] },
      window: { timezone: "America/Los_Angeles", start: "07:00", end: "21:00" },
      schedule: { key: "uid", at: "dtstart", reminders: REMINDERS },
    });
    const first = await tick(f, sim, "2026-12-04T02:05:00Z");
    expect(sent(sim)).toEqual(["+14155550161 day-before"]);
    expect(first.counts).toMatchObject({ excluded: 1, invalid: 1 });
  });
});

describe("a standing export whose every row turned invalid for one reason", () => {
  it("is refused (exit 2) before anything is cancelled or held: the appointments did not leave, the reading failed", async () => {
    const good = "id,to,at\nA1,+14155550171,2026-12-10T10:00\nA2,+14155550172,2026-12-10T11:00\nA3,+14155550173,2026-12-10T12:00\n";
    const { sim, f } = await setup(Buffer.from(good), {
      columns: { parameters: [] },
      window: { timezone: "America/New_York", start: "00:00", end: "24:00" },
      schedule: { key: "id", at: "at", reminders: REMINDERS },
    });
    await tick(f, sim, "2026-12-02T12:00:00Z");
    // The booking system's next export writes its dates another way.
    await writeFile(path.join(f.dir, "contacts.csv"), good.replace(/2026-12-10T(\d\d):00/g, "12/10/2026 $1:00"));
    await expect(tick(f, sim, "2026-12-02T12:05:00Z")).rejects.toThrow(
      /every row is invalid for one reason \(3 of 3; rows 1, 2, 3\): at: /,
    );
    // Nothing was recorded as having left: the same export fixed goes on as before.
    await writeFile(path.join(f.dir, "contacts.csv"), good);
    const fixed = await tick(f, sim, "2026-12-02T12:10:00Z");
    expect(fixed.schedule).toMatchObject({ cancelled: 0, later: 6 });
    expect(fixed.stopped).toBeUndefined();
  });
});
