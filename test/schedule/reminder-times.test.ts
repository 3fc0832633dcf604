import { describe, expect, it } from "vitest";
import { reminderPhase, reminderTimes } from "../../src/schedule/reminder-times.js";
import type { Reminder } from "../../src/schedule/schedule.js";
import { parseDeadline } from "../../src/contacts/deadline.js";
import { addCalendarDays, atMinuteOfDay, instantOfWallClock } from "../../src/contacts/zoned-time.js";

const NY = "America/New_York";
const LONDON = "Europe/London";
const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));
const reminder = (over: Partial<Reminder> & Pick<Reminder, "when" | "offset">): Reminder => ({
  name: "r",
  timeOfDay: undefined,
  withinMs: undefined,
  ...over,
});
const HOUR = 3_600_000;
const minLead = { minLeadMs: HOUR };

describe("zoned time: a wall clock read in a zone, resolved as Temporal's 'compatible' does", () => {
  it.each([
    ["New York, winter", "2026-12-03T09:30:00Z", NY, "2026-12-03T14:30:00.000Z"],
    ["New York, summer", "2026-07-03T09:30:00Z", NY, "2026-07-03T13:30:00.000Z"],
    ["the spring-forward gap (02:30 does not exist): the time after it, 03:30 EDT", "2026-03-08T02:30:00Z", NY, "2026-03-08T07:30:00.000Z"],
    ["the fall-back hour (01:30 happens twice): the first, 01:30 EDT", "2026-11-01T01:30:00Z", NY, "2026-11-01T05:30:00.000Z"],
    ["London's gap (01:30 on 29 March): 02:30 BST", "2026-03-29T01:30:00Z", LONDON, "2026-03-29T01:30:00.000Z"],
    ["London's repeated hour (01:30 on 25 October): the first, BST", "2026-10-25T01:30:00Z", LONDON, "2026-10-25T00:30:00.000Z"],
  ])("%s", (_name, wall, zone, expected) => {
    expect(iso(instantOfWallClock(t(wall), zone))).toBe(expected);
  });

  it.each([
    ["across spring-forward a day is 23 hours", "2026-03-08T13:30:00Z", -1, NY, "2026-03-07T14:30:00.000Z"],
    ["across fall-back a day is 25 hours", "2026-11-01T14:30:00Z", -1, NY, "2026-10-31T13:30:00.000Z"],
    ["London, across the start of BST", "2026-03-29T08:00:00Z", -1, LONDON, "2026-03-28T09:00:00.000Z"],
    ["London, across the end of BST", "2026-10-25T09:00:00Z", -1, LONDON, "2026-10-24T08:00:00.000Z"],
    ["a day onto the gap's wall clock: the time after it", "2026-03-07T07:30:00Z", 1, NY, "2026-03-08T07:30:00.000Z"],
  ])("addCalendarDays: %s", (_name, at, days, zone, expected) => {
    expect(iso(addCalendarDays(t(at), days, zone))).toBe(expected);
  });

  it("atMinuteOfDay: that wall-clock time on the date the instant falls on in the zone", () => {
    // 03:00Z on 9 March is still 8 March in New York (22:00 EST).
    expect(iso(atMinuteOfDay(t("2026-03-09T03:00:00Z"), 18 * 60, NY))).toBe("2026-03-08T22:00:00.000Z");
  });

  it.each([
    ["a local appointment time in the gap: after it", "2026-03-08 02:30", NY, "2026-03-08T07:30:00.000Z"],
    ["in the repeated hour: the first", "2026-11-01T01:30", NY, "2026-11-01T05:30:00.000Z"],
    ["with an offset: as written", "2026-11-01T01:30:00-05:00", NY, "2026-11-01T06:30:00.000Z"],
  ])("an `at` cell: %s", (_name, text, zone, expected) => {
    const at = parseDeadline(text, [zone]);
    expect(typeof at === "number" ? iso(at) : at).toBe(expected);
  });
});

describe("reminderTimes: due time and deadline, pure (docs/reference.md §16)", () => {
  it.each([
    [
      "1d before, across spring-forward (New York): the same wall clock, 23 h earlier",
      "2026-03-08T13:30:00Z",
      NY,
      reminder({ when: "before", offset: { amount: 1, unit: "d" } }),
      "2026-03-07T14:30:00.000Z",
      "2026-03-08T12:30:00.000Z",
    ],
    [
      "1d before, across fall-back (New York): 25 h earlier",
      "2026-11-01T14:30:00Z",
      NY,
      reminder({ when: "before", offset: { amount: 1, unit: "d" } }),
      "2026-10-31T13:30:00.000Z",
      "2026-11-01T13:30:00.000Z",
    ],
    [
      "24h before across fall-back: exact",
      "2026-11-01T14:30:00Z",
      NY,
      reminder({ when: "before", offset: { amount: 24, unit: "h" } }),
      "2026-10-31T14:30:00.000Z",
      "2026-11-01T13:30:00.000Z",
    ],
    [
      "1d before, across the start of BST (London)",
      "2026-03-29T08:00:00Z",
      LONDON,
      reminder({ when: "before", offset: { amount: 1, unit: "d" } }),
      "2026-03-28T09:00:00.000Z",
      "2026-03-29T07:00:00.000Z",
    ],
    [
      "1d before, across the end of BST (London)",
      "2026-10-25T09:00:00Z",
      LONDON,
      reminder({ when: "before", offset: { amount: 1, unit: "d" } }),
      "2026-10-24T08:00:00.000Z",
      "2026-10-25T08:00:00.000Z",
    ],
    [
      "time on a d reminder: 18:00 the day before",
      "2026-03-09T14:00:00Z",
      NY,
      reminder({ when: "before", offset: { amount: 1, unit: "d" }, timeOfDay: 18 * 60 }),
      "2026-03-08T22:00:00.000Z",
      "2026-03-09T13:00:00.000Z",
    ],
    [
      "time in the spring-forward gap: 02:30 is 03:30 EDT",
      "2026-03-09T14:00:00Z",
      NY,
      reminder({ when: "before", offset: { amount: 1, unit: "d" }, timeOfDay: 150 }),
      "2026-03-08T07:30:00.000Z",
      "2026-03-09T13:00:00.000Z",
    ],
    [
      "time in the fall-back hour: 01:30 EDT, the first",
      "2026-11-02T15:00:00Z",
      NY,
      reminder({ when: "before", offset: { amount: 1, unit: "d" }, timeOfDay: 90 }),
      "2026-11-01T05:30:00.000Z",
      "2026-11-02T14:00:00.000Z",
    ],
    [
      "2h before: the deadline is minLead (1h) before the appointment",
      "2026-12-03T15:00:00Z",
      NY,
      reminder({ when: "before", offset: { amount: 2, unit: "h" } }),
      "2026-12-03T13:00:00.000Z",
      "2026-12-03T14:00:00.000Z",
    ],
    [
      "within narrows it: 30m after the due time",
      "2026-12-03T15:00:00Z",
      NY,
      reminder({ when: "before", offset: { amount: 2, unit: "h" }, withinMs: 30 * 60_000 }),
      "2026-12-03T13:00:00.000Z",
      "2026-12-03T13:30:00.000Z",
    ],
    [
      "after 3h within 1d",
      "2026-12-03T15:00:00Z",
      NY,
      reminder({ when: "after", offset: { amount: 3, unit: "h" }, withinMs: 24 * HOUR }),
      "2026-12-03T18:00:00.000Z",
      "2026-12-04T18:00:00.000Z",
    ],
    [
      "after, no within: no deadline",
      "2026-12-03T15:00:00Z",
      NY,
      reminder({ when: "after", offset: { amount: 30, unit: "m" } }),
      "2026-12-03T15:30:00.000Z",
      "Infinity",
    ],
    [
      "30m before with minLead 1h: due after its deadline, never sendable",
      "2026-12-03T15:00:00Z",
      NY,
      reminder({ when: "before", offset: { amount: 30, unit: "m" } }),
      "2026-12-03T14:30:00.000Z",
      "2026-12-03T14:00:00.000Z",
    ],
  ] as const)("%s", (_name, at, zone, r, due, deadline) => {
    const times = reminderTimes(t(at), r, minLead, zone);
    expect([iso(times.dueAt), iso(times.deadline)]).toEqual([due, deadline]);
  });

  it("the row's notAfter bounds every reminder", () => {
    const times = reminderTimes(
      t("2026-12-03T15:00:00Z"),
      reminder({ when: "before", offset: { amount: 1, unit: "d" } }),
      minLead,
      NY,
      t("2026-12-02T16:00:00Z"),
    );
    expect(iso(times.deadline)).toBe("2026-12-02T16:00:00.000Z");
  });

  it.each([
    ["before its due time: later", "2026-12-02T14:59:59Z", "later"],
    ["at its due time: due", "2026-12-02T15:00:00Z", "due"],
    ["a row added after its due time, the deadline still ahead: due at once", "2026-12-03T10:00:00Z", "due"],
    ["a row added after its deadline: expired, never sent late", "2026-12-03T14:00:00Z", "expired"],
  ] as const)("reminderPhase: %s", (_name, now, phase) => {
    // 1d before an appointment at 15:00Z on 3 December, minLead 1h.
    const times = reminderTimes(t("2026-12-03T15:00:00Z"), reminder({ when: "before", offset: { amount: 1, unit: "d" } }), minLead, "UTC");
    expect(reminderPhase(times, t(now))).toBe(phase);
  });
});
