import { describe, expect, it } from "vitest";
import { decideContact } from "../../../src/engine/plan/decide.js";
import { matchDoubts } from "../../../src/engine/run/settle-doubts.js";
import { newUnitState, type UnitState } from "../../../src/ledger/fold.js";
import type { Execution } from "../../../src/studio/types.js";

const state = (patch: Partial<UnitState>): UnitState => ({ ...newUnitState(), ...patch });

describe("decideContact", () => {
  it.each([
    ["new contact", undefined, false, { action: "send" }],
    ["created", state({ status: "created" }), false, { action: "done", status: "created" }],
    ["conflict skipped", state({ status: "conflict_skipped" }), true, { action: "done", status: "conflict_skipped" }],
    ["failed for good", state({ status: "failed", transient: false }), true, { action: "done", status: "failed" }],
    ["failed transiently, no --retry-failed", state({ status: "failed", transient: true }), false, { action: "done", status: "failed" }],
    ["failed transiently, --retry-failed", state({ status: "failed", transient: true }), true, { action: "send" }],
    ["pending after transient errors", state({ attempts: 2 }), false, { action: "send" }],
    ["pending and in doubt", state({ inDoubt: true, attempts: 1 }), false, { action: "settle" }],
  ])("%s", (_name, contact, retryFailed, expected) => {
    expect(decideContact(contact, { retryFailed })).toEqual(expected);
  });

  it.each([
    ["new contact past its deadline: expire", undefined, false, { action: "expire" }],
    ["pending past its deadline: expire", state({ attempts: 2 }), false, { action: "expire" }],
    [
      "in doubt past its deadline: settle first (adopt what was created in time)",
      state({ inDoubt: true, attempts: 1 }),
      false,
      { action: "settle" },
    ],
    ["created stays created", state({ status: "created" }), false, { action: "done", status: "created" }],
    ["expired stays expired", state({ status: "expired" }), true, { action: "done", status: "expired" }],
    [
      "failed transiently, --retry-failed, past its deadline: expire",
      state({ status: "failed", transient: true }),
      true,
      { action: "expire" },
    ],
  ])("deadline passed: %s", (_name, contact, retryFailed, expected) => {
    expect(decideContact(contact, { retryFailed, deadlinePassed: true })).toEqual(expected);
  });
});

const execution = (sid: string, to: string, created: string, initiatedBy: string | null = null): Execution =>
  ({ sid, contact_channel_address: to, date_created: created, initiated_by: initiatedBy }) as unknown as Execution;

describe("decideContact: the opt-out list wins over everything not yet sent", () => {
  const state = (patch: Partial<UnitState>): UnitState => ({ ...newUnitState(), ...patch });
  it.each([
    ["never attempted, opted out", undefined, true, { action: "opt-out" }],
    ["never attempted, not opted out", undefined, false, { action: "send" }],
    ["created before the STOP: stays created", state({ status: "created" }), true, { action: "done", status: "created" }],
    ["in doubt and opted out: never settled (a List could lead to a re-send)", state({ inDoubt: true }), true, { action: "opt-out" }],
    ["recorded opted out, still on the list", state({ status: "opted_out" }), true, { action: "done", status: "opted_out" }],
    ["recorded opted out, then opted back in (START)", state({ status: "opted_out" }), false, { action: "send" }],
    ["transient failure retried, but opted out since", state({ status: "failed", transient: true }), true, { action: "opt-out" }],
  ] as const)("%s", (_name, contact, optedOut, expected) => {
    expect(decideContact(contact, { retryFailed: true, optedOut })).toEqual(expected);
  });
});

describe("matchDoubts", () => {
  const since = Date.parse("2026-01-01T10:00:05.700Z");
  it("adopts the oldest Execution for the address created since the doubt (second precision, skew)", () => {
    const found = matchDoubts(
      [{ key: "a", to: "+1", since }],
      [
        execution("FNnew", "+1", "2026-01-01T10:00:09Z"),
        execution("FNold", "+1", "2026-01-01T10:00:04Z"),
        execution("FNolder", "+1", "2026-01-01T09:59:00Z"),
      ],
    );
    expect(found.get("a")).toBe("FNold");
  });

  it("ignores other addresses, inbound-started Executions and SIDs the ledger already holds", () => {
    const found = matchDoubts(
      [{ key: "a", to: "+1", since }],
      [
        execution("FNother", "+2", "2026-01-01T10:00:06Z"),
        execution("FNinbound", "+1", "2026-01-01T10:00:06Z", `SM${"a".repeat(32)}`),
        execution("FNknown", "+1", "2026-01-01T10:00:07Z"),
      ],
      new Set(["FNknown"]),
    );
    expect(found.size).toBe(0);
  });

  it("gives each Execution to one contact only", () => {
    const found = matchDoubts(
      [
        { key: "a", to: "+1", since },
        { key: "b", to: "+1", since: since + 1000 },
      ],
      [execution("FN1", "+1", "2026-01-01T10:00:06Z")],
    );
    expect([...found.entries()]).toEqual([["a", "FN1"]]);
  });

  it("a reminder's doubt takes only an Execution whose Parameters name that reminder of that appointment (one number, several units)", () => {
    const executions = [execution("FN1", "+1", "2026-01-01T10:00:06Z"), execution("FN2", "+1", "2026-01-01T10:00:07Z")];
    const parameters = new Map([
      ["FN1", { reminder: "two-hours", appointment_id: "A2" }],
      ["FN2", { reminder: "day-before", appointment_id: "A1" }],
    ]);
    const doubts = [
      { key: "A1|day-before|t", to: "+1", since, reminder: { name: "day-before", key: "A1" } },
      { key: "A1|two-hours|t", to: "+1", since, reminder: { name: "two-hours", key: "A1" } },
    ];
    const found = matchDoubts(doubts, executions, new Set(), parameters, "appointment_id");
    // FN1 is A2's two-hours: neither doubt's. FN2 is A1's day-before.
    expect([...found.entries()]).toEqual([["A1|day-before|t", "FN2"]]);
    // Without its Parameters read, an Execution is never a reminder's (the settler stops and leaves the doubts when Contexts cannot be read).
    expect(matchDoubts(doubts, executions).size).toBe(0);
  });
});
