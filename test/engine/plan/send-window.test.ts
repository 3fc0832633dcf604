import { describe, expect, it } from "vitest";
import { isInsideWindow, nextOpening, windowZones } from "../../../src/engine/plan/send-window.js";
import type { SendWindow } from "../../../src/campaign/campaign.js";
import { parseDeadline } from "../../../src/contacts/deadline.js";
import { timeZonesOfNumber } from "../../../src/contacts/time-zones.js";

const weekdays = new Set(["mon", "tue", "wed", "thu", "fri"] as const);
const window: SendWindow = {
  timezone: "America/New_York",
  recipient: false,
  fallbackTimezone: undefined,
  startMinute: 9 * 60,
  endMinute: 20 * 60,
  days: weekdays,
};

describe("send window", () => {
  it.each([
    ["Friday 08:59 New York (13:59Z)", "2026-11-27T13:59:00Z", undefined, false],
    ["Friday 09:00 New York", "2026-11-27T14:00:00Z", undefined, true],
    ["Friday 19:59 New York", "2026-11-28T00:59:00Z", undefined, true],
    ["Friday 20:00 New York", "2026-11-28T01:00:00Z", undefined, false],
    ["Saturday noon New York", "2026-11-28T17:00:00Z", undefined, false],
    ["Friday 10:00 in the row's zone (Tokyo)", "2026-11-27T01:00:00Z", ["Asia/Tokyo"], true],
    [
      "Friday 10:00 New York is 05:00 in Honolulu: closed for both",
      "2026-11-27T15:00:00Z",
      ["America/New_York", "Pacific/Honolulu"],
      false,
    ],
    ["Friday 14:00 New York is 09:00 in Honolulu: open in both", "2026-11-27T19:00:00Z", ["America/New_York", "Pacific/Honolulu"], true],
  ] as const)("%s → %s", (_name, iso, zones, inside) => {
    expect(isInsideWindow(window, Date.parse(iso), zones)).toBe(inside);
  });

  it("finds the next opening across a weekend, and the next moment open in every zone", () => {
    const saturday = Date.parse("2026-11-28T17:00:00Z");
    expect(new Date(nextOpening(window, saturday)!).toISOString()).toBe("2026-11-30T14:00:00.000Z");
    expect(new Date(nextOpening(window, saturday, ["America/New_York", "Pacific/Honolulu"])!).toISOString()).toBe(
      "2026-11-30T19:00:00.000Z",
    );
    expect(nextOpening(window, saturday, ["Europe/Moscow", "Pacific/Honolulu"])).toBeUndefined(); // 13 h apart: an 11 h window never open in both
  });

  it("judges a contact in its own zones, else in the window's", () => {
    expect(windowZones(window, undefined)).toEqual(["America/New_York"]);
    expect(windowZones(window, ["Asia/Tokyo"])).toEqual(["Asia/Tokyo"]);
  });
});

describe("timeZonesOfNumber (Google libphonenumber's map)", () => {
  it.each([
    ["+12125550100", ["America/New_York"]],
    ["+13125550100", ["America/Chicago"]],
    ["+13035550100", ["America/Denver"]],
    ["+14155550100", ["America/Los_Angeles"]],
    ["+18085550100", ["Pacific/Honolulu"]],
    ["whatsapp:+18085550100", ["Pacific/Honolulu"]],
    ["+61298765432", ["Australia/Sydney"]],
    ["+447700900123", ["Europe/Guernsey", "Europe/Isle_of_Man", "Europe/London"]],
  ])("%s → %j", (number, zones) => {
    expect(timeZonesOfNumber(number)).toEqual(zones);
  });

  it("a toll-free +1 800 number spans every North American zone; an unknown country code maps to none", () => {
    expect(timeZonesOfNumber("+18005550100").length).toBeGreaterThan(20);
    expect(timeZonesOfNumber("+80012345678")).toEqual([]); // international freephone
  });
});

describe("parseDeadline (columns.notAfter)", () => {
  it.each([
    ["UTC", "2026-12-01T14:00:00Z", [], "2026-12-01T14:00:00.000Z"],
    ["an offset", "2026-12-01T09:00:00-05:00", ["Asia/Tokyo"], "2026-12-01T14:00:00.000Z"],
    ["a compact offset", "2026-12-01T09:00+0100", [], "2026-12-01T08:00:00.000Z"],
    ["no offset: the zone's wall clock (New York, winter)", "2026-12-01T09:00", ["America/New_York"], "2026-12-01T14:00:00.000Z"],
    ["no offset: summer time", "2026-07-01 09:00", ["America/New_York"], "2026-07-01T13:00:00.000Z"],
    ["no offset, several zones: the earliest", "2026-12-01T09:00", ["America/New_York", "Pacific/Honolulu"], "2026-12-01T14:00:00.000Z"],
    ["no offset, no zone: UTC", "2026-12-01T09:00", [], "2026-12-01T09:00:00.000Z"],
    ["a date alone: its midnight", "2026-12-01", ["America/Chicago"], "2026-12-01T06:00:00.000Z"],
    ["milliseconds", "2026-12-01T09:00:00.250Z", [], "2026-12-01T09:00:00.250Z"],
  ] as const)("%s", (_name, text, zones, iso) => {
    const deadline = parseDeadline(text, zones);
    expect(typeof deadline === "number" ? new Date(deadline).toISOString() : deadline).toBe(iso);
  });

  it.each(["tomorrow", "2026-13-01T09:00", "2026-02-30", "2026-12-01T25:00", "01/12/2026"])("refuses %j", (text) => {
    expect(parseDeadline(text, [])).toMatchObject({ error: expect.any(String) });
  });
});
