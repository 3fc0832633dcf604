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

  it("its table (what a checkpoint saves) follows the keys, not a fixed floor: 70 contacts take at most 256 slots (2 KiB)", () => {
    const keys = new SeenKeys("+15017122661");
    for (let i = 0; i < 70; i++) keys.add(`+1415555${String(1000 + i)}`, "+15017122661");
    expect(keys.snapshot().table.length).toBeLessThanOrEqual(256);
    expect(new SeenKeys("+15017122661").snapshot().table.byteLength).toBeLessThanOrEqual(1024);
  });

  it("stays exact across growth: 200 000 distinct 15-digit numbers, then each again", () => {
    const seen = new SeenKeys("+1");
    const numbers = Array.from({ length: 200_000 }, (_, i) => `+${999_999_000_000_000 - i * 4_999_999}`);
    expect(numbers.every((n) => seen.add(n, "+1"))).toBe(true);
    expect(numbers.some((n) => seen.add(n, "+1"))).toBe(false);
    expect(seen.size).toBe(200_000);
  });

  it("delete keeps every other key findable, in any order, across clusters and growth; a snapshot restores the same set", () => {
    const seen = new SeenKeys("+1");
    // Dense sequential numbers make long probe clusters in a small table.
    const numbers = Array.from({ length: 60_000 }, (_, i) => `+1415${String(5_000_000 + i)}`);
    for (const n of numbers) seen.add(n, "+1");
    seen.add("+1415", "+2"); // another sender: the other set
    const gone = new Set(numbers.filter((_, i) => i % 3 === 0));
    for (const n of [...gone].reverse()) seen.delete(n, "+1");
    seen.delete("+1415", "+2");
    for (const n of numbers) expect(seen.has(n, "+1")).toBe(!gone.has(n));
    expect(seen.has("+1415", "+2")).toBe(false);
    expect(seen.size).toBe(numbers.length - gone.size);
    const copy = SeenKeys.restore(seen.snapshot());
    for (const n of numbers) expect(copy.has(n, "+1")).toBe(!gone.has(n));
    expect(copy.add(numbers[1]!, "+1")).toBe(false);
    expect(copy.add(numbers[0]!, "+1")).toBe(true); // deleted: new again
  });
});
