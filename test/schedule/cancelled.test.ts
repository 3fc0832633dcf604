import { describe, expect, it } from "vitest";
import { isCancelled } from "../../src/schedule/schedule.js";
import type { UnitState } from "../../src/ledger/fold.js";

describe("isCancelled: a reminder of an appointment no longer in the export as it was (docs/reference.md §16)", () => {
  const gone = { gone: true, latestTime: true };
  it.each([
    ["left the export, never attempted", undefined, gone, true],
    ["left the export, only refused by a 409 (pending)", "pending", gone, true],
    ["left the export, created before", "created", gone, false],
    ["left the export, expired before", "expired", gone, false],
    ["left the export, failed", "failed", gone, false],
    ["an earlier time of an appointment that left", undefined, { gone: true, latestTime: false }, false],
    ["an earlier time of a moved appointment (still in the export)", undefined, { gone: false, latestTime: false }, false],
    ["still in the export", "pending", { gone: false, latestTime: true }, false],
  ] as const)("%s", (_name, status, where, expected) => {
    const known = status === undefined ? undefined : ({ status } as Pick<UnitState, "status">);
    expect(isCancelled(known, where)).toBe(expected);
  });
});
