import { describe, expect, it } from "vitest";
import { SeenKeys } from "../../src/contacts/seen-keys.js";

describe("SeenKeys", () => {
  it("tells a repeated key from a new one, for numbers and for other keys", () => {
    const seen = new SeenKeys("+15017122661");
    expect(seen.add("+14155550100", "+15017122661")).toBe(true);
    expect(seen.add("+14155550100", "+15017122661")).toBe(false);
    expect(seen.add("+14155550100", "+15017122662")).toBe(true); // another sender: another key
    expect(seen.add("+14155550100", "+15017122662")).toBe(false);
    expect(seen.add("whatsapp:+14155550100", "+15017122661")).toBe(true);
    expect(seen.add("whatsapp:+14155550100", "+15017122661")).toBe(false);
    expect(seen.size).toBe(3);
  });

  it("stays exact across growth: 200 000 distinct 15-digit numbers, then each again", () => {
    const seen = new SeenKeys("+1");
    const numbers = Array.from({ length: 200_000 }, (_, i) => `+${999_999_000_000_000 - i * 4_999_999}`);
    expect(numbers.every((n) => seen.add(n, "+1"))).toBe(true);
    expect(numbers.some((n) => seen.add(n, "+1"))).toBe(false);
    expect(seen.size).toBe(200_000);
  });
});
