import { describe, expect, it } from "vitest";
import { localIso } from "../../src/contacts/zoned-time.js";

describe("localIso: an instant as people in a zone read it, with its offset (docs/reference.md §17)", () => {
  it.each([
    ["Los Angeles in winter", "2026-12-05T18:00:00Z", "America/Los_Angeles", "2026-12-05T10:00:00-08:00"],
    ["Los Angeles in summer", "2026-07-05T17:00:00Z", "America/Los_Angeles", "2026-07-05T10:00:00-07:00"],
    ["UTC", "2026-12-05T08:00:00Z", "UTC", "2026-12-05T08:00:00+00:00"],
    ["a half-hour zone", "2026-12-05T04:30:00Z", "Asia/Kolkata", "2026-12-05T10:00:00+05:30"],
    ["a date line crossed", "2026-12-05T20:00:00Z", "Pacific/Kiritimati", "2026-12-06T10:00:00+14:00"],
    ["the first 01:30 of New York's fall-back hour", "2026-11-01T05:30:00Z", "America/New_York", "2026-11-01T01:30:00-04:00"],
    ["the second 01:30 of that hour", "2026-11-01T06:30:00Z", "America/New_York", "2026-11-01T01:30:00-05:00"],
    ["just after the spring-forward gap", "2026-03-08T07:00:00Z", "America/New_York", "2026-03-08T03:00:00-04:00"],
    ["seconds kept, milliseconds dropped", "2026-12-05T18:00:07.900Z", "Europe/London", "2026-12-05T18:00:07+00:00"],
  ])("%s", (_, instant, zone, expected) => {
    expect(localIso(Date.parse(instant), zone)).toBe(expected);
    // The text names the same instant (to the second).
    expect(Date.parse(expected)).toBe(Math.floor(Date.parse(instant) / 1000) * 1000);
  });
});
