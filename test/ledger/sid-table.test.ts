import { describe, expect, it } from "vitest";
import { SidTable } from "../../src/ledger/sid-table.js";

const sid = (n: number) => `FN${n.toString(16).padStart(32, "0")}`;

describe("SidTable: Execution SID → the report range of the row that created it", () => {
  it("keeps every SID apart across growth, the last value written wins, and knows what it never saw", () => {
    const table = new SidTable();
    for (let i = 0; i < 200_000; i++) table.set(sid(i * 7919), i % 97);
    for (let i = 0; i < 200_000; i += 13) expect(table.get(sid(i * 7919))).toBe(i % 97);
    table.set(sid(7919), 5);
    expect(table.get(sid(7919))).toBe(5);
    expect(table.get(sid(1))).toBeUndefined();
    expect(table.get(`FN${"0".repeat(32)}`)).toBe(0); // the all-zero SID is a key like any other
  });

  it("takes SIDs that differ only in their last digits, and strings of another shape", () => {
    const table = new SidTable();
    table.set(`FN${"a".repeat(31)}1`, 1);
    table.set(`FN${"a".repeat(31)}2`, 2);
    table.set("not-a-sid", 3);
    expect([table.get(`FN${"a".repeat(31)}1`), table.get(`FN${"a".repeat(31)}2`), table.get("not-a-sid")]).toEqual([1, 2, 3]);
  });
});
