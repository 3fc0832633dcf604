import { describe, expect, it } from "vitest";
import type { SendWindow } from "../../../src/campaign/campaign.js";
import type { ContactDecision } from "../../../src/engine/plan/decide.js";
import type { PlannedRow } from "../../../src/engine/plan/planned-row.js";
import { HoldTracker } from "../../../src/engine/run/holds.js";
import { decideRow, finalStatusOf, type RowAction, type RowSituation } from "../../../src/engine/plan/row-action.js";
import type { Contact } from "../../../src/contacts/contact.js";

const contact = (zones?: string[]): Contact => ({
  row: 1,
  to: "+12125550101",
  from: "+15017122661",
  parameters: {},
  zones,
  notAfter: undefined,
});
const row = (decision: ContactDecision, zones?: string[]): PlannedRow => ({ kind: "contact", contact: contact(zones), key: "k", decision });
const skipped = (alreadyRecorded: boolean): PlannedRow => ({
  kind: "skipped",
  verdict: { status: "invalid", row: 2, to: "x", from: "y", reason: "r" },
  alreadyRecorded,
});
const window: SendWindow = {
  timezone: "America/New_York",
  recipient: false,
  fallbackTimezone: undefined,
  startMinute: 540,
  endMinute: 1200,
  days: new Set(["mon", "tue", "wed", "thu", "fri"]),
};
const MONDAY_10_NY = Date.parse("2026-11-30T15:00:00Z");
const MONDAY_07_NY = Date.parse("2026-11-30T12:00:00Z");
const base: RowSituation = { stopping: false, now: MONDAY_10_NY, window, started: 0, limit: undefined };

describe("decideRow: the run's whole per-row decision", () => {
  it.each([
    ["a final contact is counted", row({ action: "done", status: "created" }), base, "count"],
    ["a skipped row seen before is counted", skipped(true), base, "count"],
    ["a skipped row seen first is recorded", skipped(false), base, "record-skip"],
    ["a sendable contact inside the window is sent", row({ action: "send" }), base, "send"],
    ["outside the window: held", row({ action: "send" }), { ...base, now: MONDAY_07_NY }, "hold:window"],
    [
      "outside the window's zone but inside its own: sent",
      row({ action: "send" }, ["Europe/London"]),
      { ...base, now: MONDAY_07_NY },
      "send",
    ],
    ["inside one zone, not the other: held", row({ action: "send" }, ["America/New_York", "Pacific/Honolulu"]), base, "hold:window"],
    ["no window: sent at any hour", row({ action: "send" }), { ...base, now: MONDAY_07_NY, window: undefined }, "send"],
    ["--limit reached: held", row({ action: "send" }), { ...base, started: 5, limit: 5 }, "hold:limit"],
    ["the daily cap reached: held", row({ action: "send" }), { ...base, capped: true }, "hold:cap"],
    [
      "the daily cap reached: a final contact is still counted",
      row({ action: "done", status: "created" }),
      { ...base, capped: true },
      "count",
    ],
    ["on the opt-out list: recorded opted out, never sent", row({ action: "opt-out" }), { ...base, capped: true }, "opt-out"],
    ["stopping: held, even in doubt", row({ action: "settle" }), { ...base, stopping: true }, "hold:stopping"],
    ["in doubt: settled, whatever the window", row({ action: "settle" }), { ...base, now: MONDAY_07_NY }, "settle"],
    ["past its deadline: expired, whatever the window", row({ action: "expire" }), { ...base, now: MONDAY_07_NY }, "expire"],
    ["a final contact is counted even when stopping", row({ action: "done", status: "failed" }), { ...base, stopping: true }, "count"],
  ] as const)("%s", (_name, planned, situation, expected) => {
    const action = decideRow(planned, situation);
    expect(action.kind === "hold" ? `hold:${action.reason}` : action.kind).toBe(expected);
  });
});

describe("finalStatusOf: how far the checkpoint's prefix is final", () => {
  it.each([
    ["counted: final in its status", { kind: "count", status: "created" }, "created"],
    [
      "a skipped row recorded: final",
      { kind: "record-skip", verdict: { status: "duplicate", row: 2, to: "x", from: "y", reason: "r" } },
      "duplicate",
    ],
    ["expired: final", { kind: "expire", contact: contact() }, "expired"],
    ["sent: still open", { kind: "send", contact: contact() }, undefined],
    ["settled: still open", { kind: "settle", contact: contact(), key: "k" }, undefined],
    ["held: still open", { kind: "hold", reason: "window" }, undefined],
  ] as const)("%s", (_name, action, expected) => {
    expect(finalStatusOf(action as RowAction)).toBe(expected);
  });
});

describe("HoldTracker: the stop that held contacts amount to", () => {
  it.each([
    ["nothing held: no stop", [], []],
    ["stopping holds: no stop of their own", ["stopping"], []],
    [
      "--limit: one stop naming the limit and what is left",
      ["limit", "limit"],
      ["limit: --limit 5 reached; 2 contact(s) left for the next run"],
    ],
    [
      "the window: when it opens next",
      ["window"],
      ["window: 1 contact(s) are outside the send window (America/New_York); it opens next at 2026-11-30T09:00:00-05:00"],
    ],
    [
      "both: the window first",
      ["limit", "window"],
      [
        "window: 1 contact(s) are outside the send window (America/New_York); it opens next at 2026-11-30T09:00:00-05:00",
        "limit: --limit 5 reached; 1 contact(s) left for the next run",
      ],
    ],
  ] as const)("%s", (_name, reasons, expected) => {
    const holds = new HoldTracker({ window, limit: 5 });
    for (const reason of reasons) holds.held(reason, MONDAY_07_NY, undefined);
    expect(holds.stops().map((s) => `${s.reason}: ${s.message}`)).toEqual(expected);
  });
});
