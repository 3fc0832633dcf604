import { describe, expect, it } from "vitest";
import { isInsideWindow, nextOpening } from "../../src/campaign/send-window.js";
import type { SendWindow } from "../../src/campaign/campaign.js";

const window: SendWindow = { timezone: "America/New_York", startMinute: 9 * 60, endMinute: 20 * 60, days: new Set(["mon", "tue", "wed", "thu", "fri"]) };

describe("send window", () => {
  it.each([
    ["Friday 08:59 New York (13:59Z)", "2026-11-27T13:59:00Z", undefined, false],
    ["Friday 09:00 New York", "2026-11-27T14:00:00Z", undefined, true],
    ["Friday 19:59 New York", "2026-11-28T00:59:00Z", undefined, true],
    ["Friday 20:00 New York", "2026-11-28T01:00:00Z", undefined, false],
    ["Saturday noon New York", "2026-11-28T17:00:00Z", undefined, false],
    ["Friday 10:00 in the row's zone (Tokyo)", "2026-11-27T01:00:00Z", "Asia/Tokyo", true],
  ])("%s → %s", (_name, iso, zone, inside) => {
    expect(isInsideWindow(window, Date.parse(iso), zone)).toBe(inside);
  });

  it("finds the next opening across a weekend", () => {
    const saturday = Date.parse("2026-11-28T17:00:00Z");
    expect(new Date(nextOpening(window, saturday)!).toISOString()).toBe("2026-11-30T14:00:00.000Z");
  });
});
