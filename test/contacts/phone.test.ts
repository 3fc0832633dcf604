import { describe, expect, it } from "vitest";
import { normalizeAddress } from "../../src/contacts/phone.js";
import { isValidSender } from "../../src/contacts/sender-format.js";

describe("normalizeAddress", () => {
  it.each([
    ["+14155550123", undefined, "+14155550123"],
    [" (415) 555-0123 ", "US", "+14155550123"],
    ["415.555.0123", "US", "+14155550123"],
    ["whatsapp:+14155550123", undefined, "whatsapp:+14155550123"],
    ["WhatsApp:+1 415 555 0123", undefined, "whatsapp:+14155550123"],
    ["020 7946 0018", "GB", "+442079460018"],
  ])("%j (%s) → %s", (raw, region, expected) => {
    expect(normalizeAddress(raw, region)).toEqual({ ok: true, address: expected });
  });

  it.each([
    ["(415) 555-0123", undefined, /no defaultRegion/],
    ["", "US", /empty/],
    ["not a number", "US", /not a valid phone number/],
    ["+1415", "US", /not a valid/],
    ["whatsapp:415", "US", /not in E.164/],
  ])("rejects %j (%s)", (raw, region, reason) => {
    const result = normalizeAddress(raw, region);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it("accepts E.164, whatsapp: and Messaging Service senders", () => {
    expect(["+15017122661", "whatsapp:+15017122661", `MG${"0".repeat(32)}`].map(isValidSender)).toEqual([true, true, true]);
    expect(["5017122661", "MG123", "whatsapp:501"].map(isValidSender)).toEqual([false, false, false]);
  });
});

describe("the number parser compiles each of its patterns once (patches/libphonenumber-js+1.13.16.patch)", () => {
  it("validating 1 000 new numbers constructs one RegExp a number once its patterns were met, not five (unpatched)", () => {
    const numbers = (from: number) => Array.from({ length: 1_000 }, (_, i) => `+1415${String(from + i).padStart(7, "0")}`);
    for (const number of numbers(2_000_000)) normalizeAddress(number, "US"); // every pattern met once
    const original = globalThis.RegExp;
    let constructed = 0;
    globalThis.RegExp = new Proxy(original, {
      construct(target, args: [string, string?]) {
        constructed++;
        return new target(...args);
      },
    });
    try {
      for (const number of numbers(3_000_000)) expect(normalizeAddress(number, "US").ok).toBe(true);
    } finally {
      globalThis.RegExp = original;
    }
    // The one left is the national prefix's (extractNationalNumberFromPossiblyIncompleteNumber), not
    // the validation's patterns.
    expect(constructed).toBeLessThanOrEqual(1_000);
  });
});
