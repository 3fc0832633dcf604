import { describe, expect, it } from "vitest";
import { AS_INPUT, csvCell, csvRecord } from "../../src/contacts/csv-writer.js";

describe("csvCell (docs/reference.md §6 formula-injection escaping)", () => {
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

describe("csvRecord: one writer, two styles", () => {
  it.each([
    ["for people: formulas escaped, quoted where needed, CRLF", undefined, '\'=1+1,"a,b","say ""hi""",+15017122661\r\n'],
    ["as input (read back by the tool): values kept, LF", AS_INPUT, '=1+1,"a,b","say ""hi""",+15017122661\n'],
  ] as const)("%s", (_name, style, expected) => {
    expect(csvRecord(["=1+1", "a,b", 'say "hi"', "+15017122661"], style)).toBe(expected);
  });
});
