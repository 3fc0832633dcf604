import { describe, expect, it } from "vitest";
import { parseSchedule } from "../../src/schedule/parse-schedule.js";
import { exportShrank, shrinkMessage } from "../../src/schedule/shrink-guard.js";

describe("exportShrank: a tick cancels what an export lost only within schedule.maxCancel (docs/reference.md §17)", () => {
  it.each([
    ["nothing lost", 0, 40, { percent: 25 }, false],
    ["2 of 40 at 25 %: ordinary cancellations", 2, 40, { percent: 25 }, false],
    ["10 of 40 at 25 %: exactly the allowance", 10, 40, { percent: 25 }, false],
    ["11 of 40 at 25 %: past it", 11, 40, { percent: 25 }, true],
    ["30 of 40 at 25 %: a partial export", 30, 40, { percent: 25 }, true],
    ["1 of 2 at 25 %: a percentage always allows one", 1, 2, { percent: 25 }, false],
    ["2 of 2 at 25 %: a header-only export", 2, 2, { percent: 25 }, true],
    ["70 of 70 at 100 %: told to trust every export", 70, 70, { percent: 100 }, false],
    ["1 of 40 with a count of 0: every loss held", 1, 40, { count: 0 }, true],
    ["5 of 40 with a count of 5", 5, 40, { count: 5 }, false],
    ["6 of 40 with a count of 5", 6, 40, { count: 5 }, true],
  ] as const)("%s", (_name, lost, of, max, shrank) => {
    expect(exportShrank(lost, of, max)).toBe(shrank);
  });

  it("says how many of how many, that nothing was cancelled, and how to accept it", () => {
    expect(shrinkMessage(52, 70)).toBe(
      "the export lost 52 of 70 appointments with reminders to come since the last tick; nothing was cancelled " +
        "(a partial export?). If it is right: run --accept-cancel",
    );
  });
});

describe("schedule.maxCancel in the campaign file", () => {
  const fail = (key: string, expected: string): never => {
    throw new Error(`${key}: ${expected}`);
  };
  const schedule = (maxCancel?: unknown) =>
    parseSchedule(
      { key: "id", at: "at", reminders: [{ name: "r", before: "1d" }], ...(maxCancel === undefined ? {} : { maxCancel }) },
      fail,
    );
  it.each([
    [undefined, { percent: 25 }],
    ["10%", { percent: 10 }],
    [" 12.5 % ", { percent: 12.5 }],
    [3, { count: 3 }],
    [0, { count: 0 }],
  ])("%j reads as %j", (value, expected) => {
    expect(schedule(value).maxCancel).toEqual(expected);
  });
  it.each([["25"], [-1], [1.5], ["150%"], [true]])("%j is refused, naming the key", (value) => {
    expect(() => schedule(value)).toThrow(/^schedule\.maxCancel: a count \(10\) or a percentage \("25%"\)/);
  });
});
