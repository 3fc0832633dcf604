import { describe, expect, it } from "vitest";
import { isTimeZone } from "../../src/contacts/zone-name.js";

describe("isTimeZone: an IANA time zone this Node knows", () => {
  it.each([
    ["America/New_York", true],
    ["UTC", true],
    ["Europe/Kyiv", true],
    // Not in ICU's canonical list, accepted by a formatter as before: aliases, letter case.
    ["US/Eastern", true],
    ["Asia/Calcutta", true],
    ["america/new_york", true],
    ["Etc/GMT+5", true],
    ["Mars/Olympus_Mons", false],
    ["", false],
    ["EST5EDT,M3.2.0,M11.1.0", false],
  ])("%j → %s", (zone, known) => {
    expect(isTimeZone(zone)).toBe(known);
  });
});
