import { describe, expect, it } from "vitest";
import {
  decideAfterEnd,
  decideConflict,
  MAX_CONFLICT_ENDS,
  type ConflictFacts,
  type EndOutcome,
} from "../../../src/engine/run/conflict-decision.js";

const SID = "FN0123456789abcdef0123456789abcdef";
const base: ConflictFacts = { policy: "end-and-retry", sid: SID, ours: "not-asked", endsSoFar: 0 };

describe("decideConflict: the 409 policy (docs/reference.md §1, §5)", () => {
  it.each([
    ["our own in-doubt attempt created it: adopt, whatever the policy", { ...base, policy: "skip", ours: "yes" }, "adopt"],
    ["ours, under end-and-retry: adopt, never end our own", { ...base, ours: "yes" }, "adopt"],
    ["cannot tell whether it is ours: pending, neither skipped nor ended", { ...base, ours: "unknown" }, "pending"],
    ["another's under skip: skip", { ...base, policy: "skip", ours: "no" }, "skip"],
    ["never in doubt, under skip: skip", { ...base, policy: "skip" }, "skip"],
    ["end-and-retry, not ours: end it and create again", { ...base, ours: "no" }, "end-and-retry"],
    ["end-and-retry without a named Execution: skip (nothing to end)", { ...base, sid: undefined }, "skip"],
    ["end-and-retry after fewer ends than the bound: end again", { ...base, endsSoFar: MAX_CONFLICT_ENDS - 1 }, "end-and-retry"],
    ["end-and-retry after the third end: fail", { ...base, endsSoFar: MAX_CONFLICT_ENDS }, "fail"],
  ] as const)("%s", (_name, facts, expected) => {
    expect(decideConflict(facts).kind).toBe(expected);
  });

  it("the bound is three ends, and a failure names the last Execution", () => {
    expect(MAX_CONFLICT_ENDS).toBe(3);
    expect(decideConflict({ ...base, endsSoFar: 3 })).toEqual({
      kind: "fail",
      message: `an Execution was still active after 3 ends (last ${SID})`,
    });
  });
});

describe("decideAfterEnd: after asking Studio to end the conflicting Execution", () => {
  it.each([
    ["ended: create again", "ended", "retry"],
    ["409, it had ended already: create again", "already-ended", "retry"],
    ["404, on another flow (not ours to end): skip", "not-found", "skip"],
    ["credentials rejected: stop the run", "auth-failure", "stop-auth"],
    ["5xx or no answer: pending for the next run", "error", "pending"],
  ] as const satisfies ReadonlyArray<readonly [string, EndOutcome, string]>)("%s", (_name, outcome, expected) => {
    expect(decideAfterEnd(outcome)).toBe(expected);
  });
});
