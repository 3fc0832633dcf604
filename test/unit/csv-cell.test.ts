import { describe, expect, it } from "vitest";
import { csvCell } from "../../src/report/csv-cell.js";

describe("csvCell (SPEC §6 formula-injection escaping)", () => {
  it.each([
    ["+15017122661", "+15017122661"],
    ["-42", "-42"],
    ["=1+2", "'=1+2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ["\rx", '"\'\rx"'],
    ["+1 555", "'+1 555"],
    ["-x", "'-x"],
    ["+", "'+"],
    ["whatsapp:+15017122661", "whatsapp:+15017122661"],
    ['say "hi", ok', '"say ""hi"", ok"'],
    ["", ""],
  ])("%j → %j", (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it("writes numbers and empty values", () => {
    expect([csvCell(409), csvCell(null), csvCell(undefined)]).toEqual(["409", "", ""]);
  });
});
