import { describe, expect, it } from "vitest";
import { rereadDecision } from "../../../src/engine/standing/reread.js";
import { newUnitState, type UnitState } from "../../../src/ledger/fold.js";

describe("rereadDecision: what the first reading of the same cells decides (docs/reference.md §17)", () => {
  const state = (patch: Partial<UnitState>): UnitState => ({ ...newUnitState(), ...patch });
  it.each([
    ["not re-read", undefined, undefined],
    ["sent for the first reading: done, never again", state({ status: "created" }), { action: "done", status: "created" }],
    ["expired there: done", state({ status: "expired" }), { action: "done", status: "expired" }],
    ["failed there: done", state({ status: "failed" }), { action: "done", status: "failed" }],
    ["in doubt there: wait for the settlement", state({ inDoubt: true }), "wait"],
    ["an attempt open there: wait", state({ attemptOpen: true }), "wait"],
    ["never attempted there: the new reading decides", state({}), undefined],
  ] as const)("%s", (_name, first, expected) => {
    expect(rereadDecision(first)).toEqual(expected);
  });
});
