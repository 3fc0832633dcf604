import { describe, expect, it } from "vitest";
import { decideOutcome, executionFacts, replyOptChange, summarizeOutcomes, type StepEvent } from "../../src/flow/outcome.js";

/** Steps as Studio lists them: newest first. Each entry: [event, from, to]. */
const steps = (...oldestFirst: Array<[string, string, string?]>): StepEvent[] =>
  oldestFirst
    .map(([name, from, to], i) => ({
      name,
      transitioned_from: from,
      transitioned_to: to ?? "Ended",
      date_created: new Date(Date.UTC(2026, 10, 1, 9, 0, i)).toISOString(),
    }))
    .reverse();

const trigger: [string, string, string] = ["incomingRequest", "Trigger", "q1"];
const reply = (widget: string, Body: string, extra: Record<string, unknown> = {}) => ({
  [widget]: { outbound: { Sid: `SM${"1".repeat(32)}` }, inbound: { Body, ...extra } },
});
const sentOnly = (widget: string, sid?: string) => ({ [widget]: { outbound: sid ? { Sid: sid } : {} } });
const SM = `SM${"a".repeat(32)}`;

describe("decideOutcome: one word for what happened, from the Steps (docs/reference.md §12)", () => {
  it.each([
    [
      "every question answered",
      steps(trigger, ["incomingMessage", "q1", "q2"], ["incomingMessage", "q2", "thanks"], ["sent", "thanks"]),
      { widgets: { ...reply("q1", "5"), ...reply("q2", "fine") } },
      undefined,
      { outcome: "answered", widget: "q2", errorCode: undefined },
    ],
    [
      "the first answered, then silence",
      steps(trigger, ["incomingMessage", "q1", "q2"], ["timeout", "q2", "thanks"], ["sent", "thanks"]),
      { widgets: { ...reply("q1", "5"), ...sentOnly("q2") } },
      undefined,
      { outcome: "partial", widget: "q2", errorCode: undefined },
    ],
    [
      "no reply to the first question (an unwired timeout ends the flow)",
      steps(trigger, ["timeout", "q1"]),
      { widgets: sentOnly("q1") },
      undefined,
      { outcome: "no_reply", widget: "q1", errorCode: undefined },
    ],
    [
      "STOP to the first question: opted out, not an answer",
      steps(trigger, ["incomingMessage", "q1", "q2"], ["deliveryFailure", "q2"]),
      { widgets: { ...reply("q1", "STOP"), ...sentOnly("q2", SM) } },
      21610,
      { outcome: "opted_out", widget: "q1", errorCode: undefined },
    ],
    [
      "'  unsubscribe ' in any case and spacing",
      steps(trigger, ["incomingMessage", "q1"]),
      { widgets: reply("q1", "  unSubscribe ") },
      undefined,
      { outcome: "opted_out", widget: "q1", errorCode: undefined },
    ],
    [
      "Advanced Opt-Out's OptOutType STOP (a custom keyword)",
      steps(trigger, ["incomingMessage", "q1"]),
      { widgets: reply("q1", "arrete", { OptOutType: "STOP" }) },
      undefined,
      { outcome: "opted_out", widget: "q1", errorCode: undefined },
    ],
    [
      "'STOP please' is an answer, as it is for Twilio",
      steps(trigger, ["incomingMessage", "q1"]),
      { widgets: reply("q1", "STOP please") },
      undefined,
      { outcome: "answered", widget: "q1", errorCode: undefined },
    ],
    [
      "the first message refused with 21610: opted out of this sender earlier",
      steps(trigger, ["deliveryFailure", "q1"]),
      { widgets: sentOnly("q1", SM) },
      21610,
      { outcome: "opted_out", widget: "q1", errorCode: 21610 },
    ],
    [
      "the first message undelivered: a landline",
      steps(trigger, ["deliveryFailure", "q1"]),
      { widgets: sentOnly("q1", SM) },
      30006,
      { outcome: "undelivered", widget: "q1", errorCode: 30006 },
    ],
    [
      "a Send Message widget failed",
      steps(["incomingRequest", "Trigger", "note"], ["failed", "note"]),
      { widgets: sentOnly("note", SM) },
      30003,
      { outcome: "undelivered", widget: "note", errorCode: 30003 },
    ],
    [
      "undelivered without a Message SID: no code",
      steps(trigger, ["deliveryFailure", "q1"]),
      { widgets: {} },
      undefined,
      { outcome: "undelivered", widget: "q1", errorCode: undefined },
    ],
    [
      "a reminder without questions: sent",
      steps(["incomingRequest", "Trigger", "note"], ["sent", "note"]),
      { widgets: sentOnly("note", SM) },
      undefined,
      { outcome: "sent", widget: "note", errorCode: undefined },
    ],
    ["no Steps (gone past 30 days)", [], {}, undefined, { outcome: "unknown", widget: "", errorCode: undefined }],
    [
      "the REST trigger ended the flow at once",
      steps(["incomingRequest", "Trigger"]),
      {},
      undefined,
      { outcome: "unknown", widget: "", errorCode: undefined },
    ],
    [
      "widget names and message texts do not matter: a widget named 'timeout' that was answered",
      steps(["incomingRequest", "Trigger", "timeout"], ["incomingMessage", "timeout"]),
      { widgets: reply("timeout", "no reply") },
      undefined,
      { outcome: "answered", widget: "timeout", errorCode: undefined },
    ],
  ] as const)("%s", (_name, listed, context, errorCode, expected) => {
    expect(decideOutcome(executionFacts(listed as StepEvent[], context), errorCode)).toEqual(expected);
  });

  it("a failed message's SID is read from its widget's outbound, for the one Message fetch", () => {
    const facts = executionFacts(steps(trigger, ["deliveryFailure", "q1"]), { widgets: sentOnly("q1", SM) });
    expect(facts.failed).toEqual({ widget: "q1", messageSid: SM });
    expect(executionFacts(steps(trigger, ["timeout", "q1"]), { widgets: sentOnly("q1", SM) }).failed).toBeUndefined();
  });

  it("opt-out and opt-in keyword replies are kept out of the answers", () => {
    const facts = executionFacts(steps(trigger, ["incomingMessage", "q1", "q2"], ["incomingMessage", "q2"]), {
      widgets: { ...reply("q1", "stop"), ...reply("q2", "START") },
    });
    expect([...facts.keywordWidgets]).toEqual(["q1", "q2"]);
    expect(facts.optChanges).toEqual([
      { change: "opt_out", reason: "STOP", widget: "q1" },
      { change: "opt_in", reason: "START", widget: "q2" },
    ]);
  });
});

describe("replyOptChange: Twilio's eight opt-out keywords, whole body, any case", () => {
  it.each([
    ...["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"].map((k) => [k, "opt_out", k] as const),
    [" stop\n", "opt_out", "STOP"],
    ["Stop", "opt_out", "STOP"],
    ["START", "opt_in", "START"],
    ["unstop", "opt_in", "UNSTOP"],
  ] as const)("%j → %s", (Body, change, reason) => {
    expect(replyOptChange({ Body })).toEqual({ change, reason });
  });

  it.each(["STOP please", "stop it", "5", "", "HELP", "S T O P"])("%j is an answer", (Body) => {
    expect(replyOptChange({ Body })).toBeUndefined();
  });

  it("OptOutType wins over the body (Advanced Opt-Out's own keywords)", () => {
    expect(replyOptChange({ Body: "basta", OptOutType: "STOP" })).toEqual({ change: "opt_out", reason: "STOP" });
    expect(replyOptChange({ Body: "ok", OptOutType: "HELP" })).toBeUndefined();
    expect(replyOptChange(undefined)).toBeUndefined();
  });
});

describe("summarizeOutcomes", () => {
  it("counts with shares, and undelivered messages by error code with what each means", () => {
    const summary = summarizeOutcomes([
      { outcome: "answered", errorCode: null },
      { outcome: "answered", errorCode: null },
      { outcome: "undelivered", errorCode: 30006 },
      { outcome: "undelivered", errorCode: 30006 },
      { outcome: "undelivered", errorCode: 30007 },
      { outcome: "opted_out", errorCode: 21610 },
      { outcome: "opted_out", errorCode: null },
      { outcome: "no_reply", errorCode: null },
    ]);
    expect(summary.total).toBe(8);
    expect(summary.counts.find((c) => c.outcome === "undelivered")).toEqual({ outcome: "undelivered", count: 3, share: 3 / 8 });
    expect(summary.counts.map((c) => c.outcome)).toEqual([
      "opted_out",
      "undelivered",
      "answered",
      "partial",
      "no_reply",
      "sent",
      "unknown",
    ]);
    expect(summary.errors).toEqual([
      { code: 30006, meaning: "landline or unreachable carrier", count: 2 },
      { code: 21610, meaning: "opted out (replied STOP to this sender)", count: 1 },
      { code: 30007, meaning: "filtered by the carrier", count: 1 },
    ]);
  });
});
