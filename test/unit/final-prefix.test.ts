import { describe, expect, it } from "vitest";
import { FinalPrefixTracker } from "../../src/campaign/plan/final-prefix.js";
import { emptyCounts } from "../../src/campaign/run/run-events.js";
import type { CsvRecord } from "../../src/contacts/read-csv.js";
import { SeenKeys } from "../../src/contacts/seen-keys.js";

const FROM = "+15017122661";
const to = (row: number) => `+1415555${String(1000 + row)}`;
const record = (row: number, withEnd = true): CsvRecord =>
  withEnd ? { row, fields: { to: to(row) }, end: 10 + row * 13, lines: row + 1 } : { row, error: "unparsable" };

/** A pass: each row is read (its key added, as the classifier does), then judged final or open. */
function pass(verdicts: Array<"final" | "open" | "unparsable-final">, maxKeysAfter?: number) {
  const seen = new SeenKeys(FROM);
  const tracker = new FinalPrefixTracker({
    start: { header: ["to"], bytes: 10, rows: 0, lines: 1 },
    counts: emptyCounts(),
    seen,
    committable: () => true,
    ...(maxKeysAfter !== undefined ? { maxKeysAfter } : {}),
  });
  verdicts.forEach((verdict, i) => {
    const row = i + 1;
    const unparsable = verdict === "unparsable-final";
    if (!unparsable) seen.add(to(row), FROM);
    tracker.read(record(row, !unparsable), unparsable ? undefined : { to: to(row), from: FROM });
    if (verdict === "open") tracker.open();
    else tracker.final(unparsable ? "invalid" : "created");
  });
  return tracker.result();
}

describe("FinalPrefixTracker", () => {
  it.each([
    ["all final", ["final", "final", "final"], 3, [1, 2, 3]],
    ["stops at the first open row, whatever follows", ["final", "open", "final", "final"], 1, [1]],
    ["an unparsable final row is committed with the next boundary", ["final", "unparsable-final", "final", "open"], 3, [1, 3]],
    ["an unparsable row before an open one is not committed", ["final", "unparsable-final", "open", "final"], 1, [1]],
    ["open at once", ["open", "final"], 0, []],
  ] as const)("%s", (_name, verdicts, rows, keyRows) => {
    for (const maxKeysAfter of [undefined, 0]) {
      const prefix = pass([...verdicts], maxKeysAfter);
      expect(prefix.point.rows).toBe(rows);
      for (let row = 1; row <= verdicts.length; row++)
        expect(prefix.seen.has(to(row), FROM)).toBe((keyRows as readonly number[]).includes(row));
      expect(prefix.counts.created + prefix.counts.invalid).toBe(rows);
    }
  });
});
