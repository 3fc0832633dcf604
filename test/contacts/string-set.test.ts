import { describe, expect, it } from "vitest";
import { StringSet, hashString } from "../../src/contacts/string-set.js";

describe("a compact set of strings (a reading's appointment keys)", () => {
  it("adds each key once, finds it again, and grows past its first table", () => {
    const set = new StringSet();
    for (let i = 0; i < 10_000; i++) expect(set.add(`A${i}`)).toBe(true);
    expect(set.add("A4321")).toBe(false);
    expect(set.has("A9999")).toBe(true);
    expect(set.has("A10000")).toBe(false);
    expect(set.size).toBe(10_000);
  });

  it.each([
    ["", "é"],
    ["Ab", "aB"],
    ["𝔄1", "𝔄2"],
    ["key with space", "key with space "],
  ])("%j and %j are two keys", (a, b) => {
    const set = new StringSet();
    expect([set.add(a), set.add(b), set.add(a), set.add(b)]).toEqual([true, true, false, false]);
  });

  it("hashes a part of a text as the part alone", () => {
    expect(hashString("xxA12yy", 2, 5)).toBe(hashString("A12"));
    expect(hashString("A12")).not.toBe(hashString("A13"));
  });
});
