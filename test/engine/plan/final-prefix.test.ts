import { describe, expect, it } from "vitest";
import { FinalPrefixTracker } from "../../../src/engine/plan/final-prefix.js";
import { emptyCounts } from "../../../src/ledger/row-status.js";
import type { CsvRecord } from "../../../src/contacts/read-csv.js";
import { SeenKeys } from "../../../src/contacts/seen-keys.js";

const FROM = "+15017122661";
const to = (row: number) => `+1415555${String(1000 + row)}`;
const record = (row: number, withEnd = true): CsvRecord =>
  withEnd ? { row, fields: { to: to(row) }, end: 10 + row * 13, lines: row + 1 } : { row, error: "unparsable" };

/** A tracker from the top of a file whose every record end is final, and the key set it grows. */
function newTracker(limits: { maxKeysAfter?: number | undefined; maxWaiting?: number | undefined } = {}) {
  const seen = new SeenKeys(FROM);
  const tracker = new FinalPrefixTracker({
    start: { header: ["to"], bytes: 10, rows: 0, lines: 1 },
    counts: emptyCounts(),
    seen,
    committable: () => true,
    ...(limits.maxKeysAfter !== undefined ? { maxKeysAfter: limits.maxKeysAfter } : {}),
    ...(limits.maxWaiting !== undefined ? { maxWaiting: limits.maxWaiting } : {}),
  });
  return { seen, tracker };
}

/** A pass: each row is read (its key added, as the classifier does), then judged final or open. */
function pass(verdicts: Array<"final" | "open" | "unparsable-final">, maxKeysAfter?: number) {
  const { seen, tracker } = newTracker({ maxKeysAfter });
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

describe("FinalPrefixTracker: rows sent in the run, final when their create lands", () => {
  /** Rows 1..n read in order; `sent` rows are deferred and settled in `landing` order. */
  function sentPass(options: {
    rows: number;
    sent: number[];
    landing: Array<[row: number, verdict: "created" | "failed" | "open"]>;
    maxWaiting?: number;
  }) {
    const { seen, tracker } = newTracker({ maxWaiting: options.maxWaiting });
    const settles = new Map<number, (verdict: "created" | "failed" | "open") => void>();
    for (let row = 1; row <= options.rows; row++) {
      seen.add(to(row), FROM);
      tracker.read(record(row), { to: to(row), from: FROM });
      if (options.sent.includes(row)) settles.set(row, tracker.defer());
      else tracker.final("created");
    }
    for (const [row, verdict] of options.landing) settles.get(row)!(verdict);
    return tracker.result();
  }
  const keyRows = (prefix: ReturnType<typeof sentPass>, rows: number) =>
    Array.from({ length: rows }, (_, i) => i + 1).filter((row) => prefix.seen.has(to(row), FROM));

  it.each([
    [
      "landing out of order, all final: the prefix covers every row",
      [1, 2, 3, 4],
      [
        [3, "created"],
        [1, "created"],
        [4, "failed"],
        [2, "created"],
      ],
      5,
      5,
    ],
    [
      "one still in flight at the end: the prefix stops before it",
      [1, 2, 3],
      [
        [1, "created"],
        [3, "created"],
      ],
      1,
      1,
    ],
    [
      "one landing open (pending, in doubt): the prefix stops before it",
      [2, 4],
      [
        [4, "created"],
        [2, "open"],
      ],
      1,
      1,
    ],
    ["nothing landed: the prefix holds only the rows before the first sent", [3], [], 2, 2],
  ] as const)("%s", (_name, sent, landing, rows, keys) => {
    const prefix = sentPass({ rows: 5, sent: [...sent], landing: landing.map(([r, v]) => [r, v]) });
    expect(prefix.point.rows).toBe(rows);
    expect(keyRows(prefix, 5)).toEqual(Array.from({ length: keys }, (_, i) => i + 1));
    expect(prefix.counts.created + prefix.counts.failed).toBe(rows);
  });

  it("counts a sent row by the status it landed with", () => {
    const prefix = sentPass({ rows: 3, sent: [2], landing: [[2, "failed"]] });
    expect(prefix.counts).toMatchObject({ created: 2, failed: 1 });
  });

  it("stops at a row still in flight once more than maxWaiting rows wait behind it, even if it lands later", () => {
    const prefix = sentPass({ rows: 6, sent: [2], landing: [[2, "created"]], maxWaiting: 3 });
    expect(prefix.point.rows).toBe(1);
    expect(keyRows(prefix, 6)).toEqual([1]);
  });
});
