import { describe, expect, it } from "vitest";
import { numberCells, RowClassifier } from "../../src/contacts/classify.js";
import type { ContactRules } from "../../src/contacts/rules.js";
import type { RowVerdict } from "../../src/contacts/contact.js";
import type { CsvRecord } from "../../src/contacts/read-csv.js";

const FROM = "+15017122661";
const rules = (over: Partial<ContactRules> = {}): ContactRules => ({
  contactsPath: "contacts.csv",
  from: FROM,
  defaultRegion: "US",
  parameters: { survey: "q4" },
  columns: { to: "to", parameters: undefined, from: undefined, timezone: undefined, notAfter: undefined },
  window: undefined,
  ...over,
});
const withColumns = (columns: Partial<ContactRules["columns"]>, over: Partial<ContactRules> = {}) =>
  rules({ columns: { ...rules().columns, ...columns }, ...over });
const row = (fields: Record<string, string>, n = 2): CsvRecord => ({ row: n, fields, end: 0, lines: 1 });

/** One verdict of a fresh classifier (header: the record's columns), shown as `status` or `status: reason`. */
function verdictOf(contactRules: ContactRules, record: CsvRecord, suppressed: string[] = []): string {
  const header = "fields" in record ? Object.keys(record.fields) : ["to"];
  const verdict: RowVerdict = new RowClassifier(contactRules, header, { suppressed: new Set(suppressed) }).classify(record);
  return verdict.status === "sendable" ? "sendable" : `${verdict.status}: ${verdict.reason}`;
}

describe("RowClassifier.classify: a CSV row's verdict", () => {
  it.each([
    ["an E.164 number", rules(), row({ to: "+14155551000" }), [], "sendable"],
    ["a national number in the default region", rules(), row({ to: "(415) 555-1000" }), [], "sendable"],
    ["not a number", rules(), row({ to: "not a number" }), [], /^invalid: to: /],
    ["an empty To", rules(), row({ to: "" }), [], /^invalid: to: /],
    ["a record the parser refused", rules(), { row: 3, error: "line 3: unclosed quote" }, [], "invalid: line 3: unclosed quote"],
    ["on the suppression list", rules(), row({ to: "+14155551000" }), ["+14155551000"], "suppressed: on the suppression list"],
    ["whatsapp: suppressed by the plain number", rules(), row({ to: "whatsapp:+14155551000" }), ["+14155551000"], /^suppressed/],
    [
      "a From column with a Messaging Service SID",
      withColumns({ from: "from" }),
      row({ to: "+14155551000", from: "MG0123456789abcdef0123456789abcdef" }),
      [],
      "sendable",
    ],
    ["a From column with a bad number", withColumns({ from: "from" }), row({ to: "+14155551000", from: "12" }), [], /^invalid: from: /],
    [
      "an unknown time zone cell",
      withColumns({ timezone: "tz" }),
      row({ to: "+14155551000", tz: "Mars/Olympus" }),
      [],
      'invalid: tz: unknown time zone "Mars/Olympus"',
    ],
    ["an empty time zone cell", withColumns({ timezone: "tz" }), row({ to: "+14155551000", tz: "" }), [], "sendable"],
    [
      "a recipient window, a number with no known zone, no fallback",
      rules({ window: { timezone: "UTC", recipient: true, fallbackTimezone: undefined } }),
      row({ to: "+80012345678" }),
      [],
      /^invalid: to: no time zone is known for this number/,
    ],
    [
      "the same with a fallback zone",
      rules({ window: { timezone: "UTC", recipient: true, fallbackTimezone: "Europe/London" } }),
      row({ to: "+80012345678" }),
      [],
      "sendable",
    ],
    ["an unreadable notAfter", withColumns({ notAfter: "by" }), row({ to: "+14155551000", by: "next tuesday" }), [], /^invalid: by: /],
    [
      "a notAfter with an offset",
      withColumns({ notAfter: "by" }),
      row({ to: "+14155551000", by: "2026-12-01T09:00:00-05:00" }),
      [],
      "sendable",
    ],
  ] as const)("%s", (_name, contactRules, record, suppressed, expected) => {
    const verdict = verdictOf(contactRules, record, [...suppressed]);
    if (typeof expected === "string") expect(verdict).toBe(expected);
    else expect(verdict).toMatch(expected);
  });

  it("a key seen earlier in the file is a duplicate; the parameters are the static ones plus the columns", () => {
    const classifier = new RowClassifier(rules(), ["to", "name"]);
    const first = classifier.classify(row({ to: "+14155551000", name: "Ann" }, 2));
    const again = classifier.classify(row({ to: "+1 415 555 1000", name: "Dup" }, 3));
    expect(first).toMatchObject({
      status: "sendable",
      contact: { to: "+14155551000", from: FROM, parameters: { survey: "q4", name: "Ann" } },
    });
    expect(again).toMatchObject({ status: "duplicate", row: 3, reason: "same To and From as an earlier row" });
  });

  it("an address an earlier run normalized is taken as it is, without parsing it again; any other cell is parsed", () => {
    // "+1555" is no valid number: only the known set can make it sendable, so the test shows the set is consulted.
    const known = new RowClassifier(rules(), ["to"], { knownAddresses: new Set(["+1555"]) });
    expect(known.classify(row({ to: "+1555" }, 2))).toMatchObject({ status: "sendable", contact: { to: "+1555" } });
    expect(known.classify(row({ to: " +1555" }, 3))).toMatchObject({ status: "invalid" });
    expect(known.classify(row({ to: "(415) 555-1000" }, 4))).toMatchObject({ status: "sendable", contact: { to: "+14155551000" } });
    expect(new RowClassifier(rules(), ["to"]).classify(row({ to: "+1555" }, 2))).toMatchObject({ status: "invalid" });
  });

  it("a number normalized ahead (numbers-ahead.ts) is taken as answered, To and From; a cell it has no answer for is parsed", () => {
    // Answers no parse would give: only the lookup can produce them, so the test shows it is consulted, by the cell as numberCells gives it.
    const answers = new Map([
      [" 415 ", { ok: true as const, address: "+19995550001" }],
      ["+14155551000", { ok: false as const, reason: "answered ahead" }],
      ["+15005550006", { ok: true as const, address: "+19995550002" }],
    ]);
    const classifier = new RowClassifier(withColumns({ from: "from" }), ["to", "from"], { numbers: answers });
    expect(classifier.classify(row({ to: " 415 ", from: " +15005550006 " }, 2))).toMatchObject({
      status: "sendable",
      contact: { to: "+19995550001", from: "+19995550002" },
    });
    expect(classifier.classify(row({ to: "+14155551000", from: "+15005550006" }, 3))).toMatchObject({
      status: "invalid",
      reason: "to: answered ahead",
    });
    expect(classifier.classify(row({ to: "(415) 555-1002", from: "+15005550006" }, 4))).toMatchObject({
      status: "sendable",
      contact: { to: "+14155551002" },
    });
    expect(numberCells(withColumns({ from: "from" }).columns, row({ to: " 415 ", from: " +15005550006 " }))).toEqual([
      " 415 ",
      "+15005550006",
    ]);
    expect(numberCells(withColumns({ from: "from" }).columns, row({ to: "+1", from: "MG0123456789abcdef0123456789abcdef" }))).toEqual([
      "+1",
    ]);
    expect(numberCells(rules().columns, { row: 2, error: "ragged" })).toEqual([]);
  });

  it("a header without a configured column is refused naming the file and the key", () => {
    expect(() => new RowClassifier(withColumns({ timezone: "tz" }), ["to"])).toThrow(
      'contacts.csv: line 1: the header has no "tz" column (columns.timezone)',
    );
  });
});
