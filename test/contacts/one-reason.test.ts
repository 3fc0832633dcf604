import { describe, expect, it } from "vitest";
import type { RowVerdict } from "../../src/contacts/contact.js";
import { OneReason, reasonKind } from "../../src/contacts/one-reason.js";

const invalid = (row: number, reason: string): RowVerdict => ({ status: "invalid", row, to: "", from: "", reason });
const sendable = (row: number): RowVerdict => ({
  status: "sendable",
  contact: { row, to: "+14155550101", from: "+15017122661", parameters: {}, zones: undefined, notAfter: undefined },
});

describe("OneReason: every row invalid for one reason is a wrong campaign file or export (docs/reference.md §17)", () => {
  it.each([
    ['Cell Phone: not a valid phone number: "555"', "Cell Phone: not a valid phone number: …"],
    [
      'at: not an ISO 8601 date-time: "12/04/2026" (e.g. 2026-12-01T09:00); it looks like MM/dd/yyyy: set dateFormat',
      "at: not an ISO # date-time: … (e.g. #-#-#T#:#)",
    ],
    ["has 3 fields, the header has 4 (line 7)", "has # fields, the header has # (line #)"],
  ])("the kind of %j is %j", (reason, kind) => {
    expect(reasonKind(reason)).toBe(kind);
  });

  it.each([
    [
      "three rows, one reason",
      [invalid(1, 'to: bad "1"'), invalid(2, 'to: bad "2"'), invalid(3, 'to: bad "3"')],
      'every row is invalid for one reason (3 of 3; rows 1, 2, 3): to: bad "1" — nothing was sent',
    ],
    [
      "five rows: the first three named",
      [1, 2, 3, 4, 5].map((n) => invalid(n, `to: bad "${n}"`)),
      'every row is invalid for one reason (5 of 5; rows 1, 2, 3, …): to: bad "1" — nothing was sent',
    ],
    ["two reasons: a data problem", [invalid(1, 'to: bad "1"'), invalid(2, 'at: bad "x"')], undefined],
    ["one valid row: a data problem", [invalid(1, 'to: bad "1"'), sendable(2), invalid(3, 'to: bad "3"')], undefined],
    ["a single row", [invalid(1, 'to: bad "1"')], undefined],
  ] as const)("%s", (_name, verdicts, message) => {
    const tracker = new OneReason();
    for (const verdict of verdicts) tracker.add(verdict as RowVerdict);
    expect(tracker.refusal("c.csv")?.message).toBe(message === undefined ? undefined : `c.csv: ${message}`);
  });
});
