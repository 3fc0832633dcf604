import { describe, expect, it } from "vitest";
import { blankRow, type ReportRow } from "../../src/report/build-report.js";
import type { RowStatus } from "../../src/ledger/row-status.js";
import { ReminderTally } from "../../src/report/reminder-days.js";

const row = (reminder: string, dueAt: string, status: RowStatus): ReportRow => ({
  ...blankRow(1, "+14155551000", "+15017122661", status),
  reminder: { key: "A1", reminder, appointment_at: "2026-12-04T15:00:00.000Z", due_at: dueAt },
});

describe("ReminderTally: a standing campaign's reminders per day and per reminder (the HTML report)", () => {
  const rows = [
    row("day-before", "2026-12-02T23:00:00.000Z", "created"), // 18:00 on 2 December in New York
    row("day-before", "2026-12-03T03:30:00.000Z", "expired"), // 22:30 on 2 December in New York, 3 December in UTC
    row("two-hours", "2026-12-03T13:00:00.000Z", "pending"),
    row("two-hours", "2026-12-03T14:00:00.000Z", "failed"),
    row("two-hours", "2026-12-03T15:00:00.000Z", "cancelled"),
    row("two-hours", "2026-12-03T16:00:00.000Z", "created"),
  ];

  it.each([
    [
      "America/New_York",
      [
        { day: "2026-12-02", due: 2, sent: 1, expired: 1, pending: 0, other: 0, cancelled: 0 },
        { day: "2026-12-03", due: 3, sent: 1, expired: 0, pending: 1, other: 1, cancelled: 1 },
      ],
    ],
    [
      undefined, // no window: days in UTC
      [
        { day: "2026-12-02", due: 1, sent: 1, expired: 0, pending: 0, other: 0, cancelled: 0 },
        { day: "2026-12-03", due: 4, sent: 1, expired: 1, pending: 1, other: 1, cancelled: 1 },
      ],
    ],
  ])("in %s: each reminder on the day it is due, the day's columns adding up to its due", (zone, days) => {
    const tally = new ReminderTally(zone);
    for (const r of [...rows].reverse()) tally.add(r);
    const summary = tally.summary();
    expect(summary.zone).toBe(zone ?? "UTC");
    expect(summary.days).toEqual(days);
    for (const d of summary.days) expect(d.sent + d.expired + d.pending + d.other).toBe(d.due);
  });

  it("per reminder, in order of first appearance; a row of a survey (no reminder) is not counted", () => {
    const tally = new ReminderTally("UTC");
    for (const r of rows) tally.add(r);
    const { reminder: _none, ...survey } = rows[0]!;
    tally.add(survey);
    expect(tally.summary().byName).toEqual([
      { name: "day-before", due: 2, sent: 1, expired: 1, pending: 0, other: 0, cancelled: 0 },
      { name: "two-hours", due: 3, sent: 1, expired: 0, pending: 1, other: 1, cancelled: 1 },
    ]);
  });
});
