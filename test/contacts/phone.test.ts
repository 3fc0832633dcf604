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
