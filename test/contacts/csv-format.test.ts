import { describe, expect, it } from "vitest";
import { delimiterHint, detectDelimiter, encodingOfBom, firstNonUtf8Line } from "../../src/contacts/csv-format.js";

describe("detectDelimiter: the header line's most frequent of , ; tab | outside quotes (docs/reference.md §17)", () => {
  it.each([
    ["to,first_name,appointment_at", ","],
    ["Appointment Ref;Patient;Date;Time;Mobile;Clinician;Surgery;Status", ";"],
    ["to\tname\tdate", "\t"],
    ["to|name|date", "|"],
    ['"Name, Last";"Name, First";Mobile', ";"],
    ['"a;b;c",d,e', ","],
    ["to", ","],
    ["", ","],
  ])("%j → %j", (line, delimiter) => {
    expect(detectDelimiter(line)).toBe(delimiter);
  });
});

describe("delimiterHint: a missing column that another delimiter would give", () => {
  it.each([
    [["Appointment Ref;Patient;Mobile"], "Mobile", ",", "; the file looks semicolon-separated: set csv.delimiter"],
    [["to\tname"], "to", ",", "; the file looks tab-separated: set csv.delimiter"],
    [["to,name"], "to", ";", "; the file looks comma-separated: set csv.delimiter"],
    [["phone", "name"], "to", ",", ""],
  ] as const)("%j without %j (read with %j)", (header, column, used, hint) => {
    expect(delimiterHint(header, column, used)).toBe(hint);
  });
});

describe("encodings", () => {
  it.each([
    [[0xff, 0xfe, 0x74, 0x00], "utf-16le"],
    [[0xfe, 0xff, 0x00, 0x74], "utf-16be"],
    [[0xef, 0xbb, 0xbf, 0x74], undefined],
    [[0x74, 0x6f], undefined],
  ])("a file starting %j is %s by its BOM", (bytes, encoding) => {
    expect(encodingOfBom(Uint8Array.from(bytes))).toBe(encoding);
  });

  it.each([
    ["plain ASCII", Buffer.from("to,name\n+1415,Ann\n"), undefined],
    ["UTF-8 accents", Buffer.from("to,name\n+1415,José\n"), undefined],
    ["windows-1252 é on line 3", Buffer.concat([Buffer.from("to,name\n+1415,Ann\n+1416,Jos"), Buffer.from([0xe9]), Buffer.from("\n")]), 3],
    ["a character cut by the end of the bytes read", Buffer.from("to,name\n+1415,Jos\u00e9").subarray(0, -1), undefined],
  ])("%s: first non-UTF-8 line %s", (_name, bytes, line) => {
    expect(firstNonUtf8Line(bytes)).toBe(line);
  });
});
