import { describe, expect, it } from "vitest";
import { countSegments } from "../../../src/flow/run/segments.js";

describe("countSegments: GSM-7 or UCS-2, and segments at the boundaries", () => {
  it.each([
    ["empty", "", "GSM-7", 0],
    ["160 GSM-7 characters: one segment", "a".repeat(160), "GSM-7", 1],
    ["161: two (153 a part)", "a".repeat(161), "GSM-7", 2],
    ["306 = 2 × 153", "a".repeat(306), "GSM-7", 2],
    ["307: three", "a".repeat(307), "GSM-7", 3],
    ["an extension character counts twice: 159 + € = 161 units", `${"a".repeat(159)}€`, "GSM-7", 2],
    ["70 UCS-2 characters: one segment", `’${"a".repeat(69)}`, "UCS-2", 1],
    ["71: two (67 a part)", `’${"a".repeat(70)}`, "UCS-2", 2],
    ["134 = 2 × 67", `’${"a".repeat(133)}`, "UCS-2", 2],
    ["135: three", `’${"a".repeat(134)}`, "UCS-2", 3],
    ["an emoji is two UTF-16 units", `😀${"a".repeat(68)}`, "UCS-2", 1],
    ["… and one more makes two segments", `😀${"a".repeat(69)}`, "UCS-2", 2],
    ["accented letters of GSM-7 stay GSM-7", "Café à Zoë? é ñ ü", "UCS-2", 1], // ë is not GSM-7
    ["é, ñ, ü, à are GSM-7", "é ñ ü à Ñ Ü Ä Ö", "GSM-7", 1],
  ])("%s", (_name, text, encoding, segments) => {
    const count = countSegments(text);
    expect([count.encoding, count.segments]).toEqual([encoding, segments]);
  });

  it("names the characters that force UCS-2, each once", () => {
    expect(countSegments("It’s Zoë’s turn").ucs2Characters).toEqual(["’", "ë"]);
  });
});
