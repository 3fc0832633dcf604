import { describe, expect, it } from "vitest";
import { needsContext } from "../../../src/engine/results/collect-results.js";
import { resultCell, resultsColumns, valueAtPath } from "../../../src/flow/results-columns.js";
import { askedPath, summarizeResults } from "../../../src/flow/results-summary.js";
import { StudioApiError, StudioTransportError } from "../../../src/studio/errors.js";
import { decideAfterReadFailure } from "../../../src/studio/read-retry.js";
import { RETRY_DEFAULTS } from "../../../src/studio/retry-policy.js";

const policy = { ...RETRY_DEFAULTS, maxReadAttempts: 3, outageAfterMs: 120_000 };
const api = (status: number, retryAfterMs?: number) =>
  new StudioApiError({ method: "GET", path: "/x", status, body: undefined, retryAfterMs });
const transport = (delivery: "not-sent" | "in-doubt") =>
  new StudioTransportError({ method: "GET", path: "/x", delivery, cause: new Error("x") });

describe("decideAfterReadFailure: a GET is idempotent", () => {
  it.each([
    ["429 with Retry-After", api(429, 2000), 1, { action: "retry", delayMs: 2000 }],
    ["429 asking for a day: capped", api(429, 86_400_000), 1, { action: "retry", delayMs: 60_000 }],
    ["429 without Retry-After: jittered backoff", api(429), 1, { action: "retry", delayMs: 375 }],
    ["429 does not use up maxAttempts", api(429, 10), 5, { action: "retry", delayMs: 10 }],
    ["429 twenty times: give up", api(429, 10), 20, { action: "give-up" }],
    ["503: retry", api(503), 1, { action: "retry", delayMs: 375 }],
    ["an unanswered GET may be sent again", transport("in-doubt"), 2, { action: "retry", delayMs: 750 }],
    ["attempts used up", transport("not-sent"), 3, { action: "give-up" }],
    ["Studio failing everything past the outage bound: stop (exit 75)", api(503), 1, { action: "outage" }, 120_001],
    ["a 503 just within the outage bound: retry", api(503), 2, { action: "retry", delayMs: 750 }, 120_000],
    ["a 429 is an answer, not an outage", api(429, 10), 1, { action: "retry", delayMs: 10 }, 500_000],
    ["404 (past retention) is final", api(404), 1, { action: "give-up" }],
    ["401 is final", api(401), 1, { action: "give-up" }],
    ["a defect is not retried", new TypeError("x"), 1, { action: "give-up" }],
  ] as const)("%s", (_name, error, attempt, expected, failingForMs: number = 0) => {
    expect(decideAfterReadFailure(error, { attempt, failingForMs }, policy, () => 0.5)).toEqual(expected);
  });
});

describe("results columns and values", () => {
  it("default columns: one per question, at its reply; the campaign's map wins", () => {
    expect(resultsColumns(undefined, ["ask_rating", "ask_comment"])).toEqual([
      { name: "ask_rating", path: "widgets.ask_rating.inbound.Body" },
      { name: "ask_comment", path: "widgets.ask_comment.inbound.Body" },
    ]);
    expect(resultsColumns([{ name: "r", path: "flow.data.x" }], ["ask_rating"])).toEqual([{ name: "r", path: "flow.data.x" }]);
    expect(resultsColumns(undefined, undefined)).toEqual([]);
  });

  it.each([
    ["a string", { a: { b: "x" } }, "a.b", "x"],
    ["an object", { a: { b: { c: 1 } } }, "a.b", { c: 1 }],
    ["an array index", { a: ["p", "q"] }, "a.1", "q"],
    ["missing step", { a: {} }, "a.b.c", undefined],
    ["through a string", { a: "s" }, "a.length", undefined],
  ] as const)("valueAtPath: %s", (_name, context, path, expected) => {
    expect(valueAtPath(context, path)).toEqual(expected);
  });

  it.each([
    [undefined, ""],
    [null, ""],
    ["5", "5"],
    [5, "5"],
    [{ Body: "y" }, '{"Body":"y"}'],
  ] as const)("resultCell(%j) = %j", (value, cell) => {
    expect(resultCell(value)).toBe(cell);
  });
});

describe("summarizeResults: asked, answered, response rate, most frequent answers", () => {
  it("counts a question as asked when its message went out, answered when a reply is there", () => {
    const columns = [
      { name: "q", path: "widgets.q.inbound.Body" },
      { name: "name", path: "flow.data.name" },
    ];
    expect(askedPath(columns[0]!.path)).toBe("widgets.q.outbound.Sid");
    expect(askedPath(columns[1]!.path)).toBeUndefined();
    const asked = "widgets.q.outbound.Sid";
    const records = [
      { [columns[0]!.path]: "5", [asked]: "SM1", "flow.data.name": "A" },
      { [columns[0]!.path]: "5", [asked]: "SM2", "flow.data.name": "B" },
      { [columns[0]!.path]: " 4 ", [asked]: "SM3", "flow.data.name": null },
      { [columns[0]!.path]: null, [asked]: "SM4", "flow.data.name": "D" },
      { [columns[0]!.path]: null, [asked]: null, "flow.data.name": "E" }, // never got to the question
    ];
    expect(summarizeResults(columns, records)).toEqual([
      {
        column: "q",
        asked: 4,
        answered: 3,
        responseRate: 0.75,
        top: [
          { answer: "5", count: 2 },
          { answer: "4", count: 1 },
        ],
      },
      {
        column: "name",
        asked: 5,
        answered: 4,
        responseRate: 0.8,
        top: [
          { answer: "A", count: 1 },
          { answer: "B", count: 1 },
          { answer: "D", count: 1 },
          { answer: "E", count: 1 },
        ],
      },
    ]);
  });
});

describe("needsContext: an ended Execution's results are read once", () => {
  const paths = ["widgets.q.inbound.Body"];
  it.each([
    ["ended, nothing recorded", { status: "ended" }, false, true],
    [
      "ended, final with every path and its outcome",
      {
        status: "ended",
        results: {
          values: { "widgets.q.inbound.Body": null },
          final: true,
          outcome: { outcome: "no_reply", widget: "q", errorCode: null },
        },
      },
      false,
      false,
    ],
    [
      "ended, final but recorded before outcomes existed",
      { status: "ended", results: { values: { "widgets.q.inbound.Body": null }, final: true } },
      false,
      true,
    ],
    ["ended, final but a path added since", { status: "ended", results: { values: {}, final: true } }, false, true],
    [
      "ended, only a provisional record",
      { status: "ended", results: { values: { "widgets.q.inbound.Body": "x" }, final: false } },
      false,
      true,
    ],
    ["gone from Studio", { status: "ended", results: { values: {}, final: true, gone: true } }, false, false],
    ["active, without --include-active", { status: "active" }, false, false],
    ["active, with --include-active", { status: "active" }, true, true],
    ["state unknown", { status: undefined }, true, false],
  ] as const)("%s", (_name, execution, includeActive, expected) => {
    expect(needsContext({ sid: "FN1", at: 0, ...execution } as never, paths, includeActive)).toBe(expected);
  });
});
