import { describe, expect, it } from "vitest";
import { tightenHeapGrowth } from "../src/heap-growth.js";

describe("tightenHeapGrowth: V8's heap growth while whole large exports are read", () => {
  it("is set by the first reading, kept while any is on, and V8's own choice is back after the last", () => {
    const flags: string[] = [];
    const set = (flag: string) => flags.push(flag);
    const first = tightenHeapGrowth(set);
    const second = tightenHeapGrowth(set);
    expect(flags).toEqual(["--heap-growing-percent=100"]);
    first();
    first(); // once only: the second reading is still on
    expect(flags).toEqual(["--heap-growing-percent=100"]);
    second();
    expect(flags).toEqual(["--heap-growing-percent=100", "--heap-growing-percent=0"]);
    tightenHeapGrowth(set)();
    expect(flags.slice(2)).toEqual(["--heap-growing-percent=100", "--heap-growing-percent=0"]);
  });
});
