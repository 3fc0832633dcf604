import { describe, expect, it } from "vitest";
import { AnswerTally, foldAnswer, rankAnswers } from "../../src/flow/answer-tally.js";
import { summarizeResults } from "../../src/flow/results-summary.js";

describe("foldAnswer: the same answer regardless of case, width and spacing", () => {
  it.each([
    ["yes", "yes"],
    ["YES", "yes"],
    ["  Yes  ", "yes"],
    ["Ｙｅｓ", "yes"], // full-width, as some phone keyboards write
    ["very   good", "very good"],
    ["Été", "été"],
    ["yes!", "yes!"], // punctuation is an answer's own (intents are §19's business)
  ])("%j → %j", (answer, folded) => {
    expect(foldAnswer(answer)).toBe(folded);
  });
});

describe("AnswerTally", () => {
  it("counts yes, YES and Yes as one answer, shown as first written", () => {
    const tally = new AnswerTally();
    for (const a of ["yes", "YES", "no", "Yes", "NO"]) tally.add(a);
    expect([...tally.counts]).toEqual([
      ["yes", 3],
      ["no", 2],
    ]);
  });

  it("past max distinct answers, a new one is overflow and a known one still counts", () => {
    const tally = new AnswerTally(2);
    for (const a of ["a", "b", "c", "A", "d"]) tally.add(a);
    expect([...tally.counts]).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
    expect(tally.overflow).toBe(2);
  });
});

describe("rankAnswers: most first, ties in the answer's order, whatever order they came in", () => {
  it.each([
    [
      [
        ["b", 2],
        ["a", 2],
        ["c", 3],
      ],
      [
        ["c", 3],
        ["a", 2],
        ["b", 2],
      ],
    ],
    [
      [
        ["a", 2],
        ["b", 2],
        ["c", 3],
      ],
      [
        ["c", 3],
        ["a", 2],
        ["b", 2],
      ],
    ],
    [
      [
        ["=HYPERLINK(x)", 2],
        ["Shorter", 2],
        ["Friendlier", 3],
      ],
      [
        ["Friendlier", 3],
        ["=HYPERLINK(x)", 2],
        ["Shorter", 2],
      ],
    ],
    [[["x", 1]], [["x", 1]]],
    [[], []],
  ] as Array<[Array<[string, number]>, Array<[string, number]>]>)("%j → %j", (counts, ranked) => {
    expect(rankAnswers(counts)).toEqual(ranked);
  });
});

describe("summarizeResults: the most frequent answers, case-insensitively (docs/reference.md §11)", () => {
  it('"yes" 9 and "YES" 6 are one answer: 15', () => {
    const path = "widgets.ask.inbound.Body";
    const records = [
      ...Array.from({ length: 9 }, () => ({ [path]: "yes" })),
      ...Array.from({ length: 6 }, () => ({ [path]: "YES" })),
      ...Array.from({ length: 4 }, () => ({ [path]: "No" })),
    ];
    const [column] = summarizeResults([{ name: "ask", path }], records);
    expect(column!.top).toEqual([
      { answer: "yes", count: 15 },
      { answer: "No", count: 4 },
    ]);
  });

  it("ties are ranked the same whichever Execution was read first", () => {
    const path = "widgets.ask.inbound.Body";
    const records = ["Shorter waiting time", '=HYPERLINK("http://x")', "Shorter waiting time", '=HYPERLINK("http://x")', "Nothing"].map(
      (a) => ({ [path]: a }),
    );
    const top = (rs: typeof records) => summarizeResults([{ name: "ask", path }], rs)[0]!.top;
    expect(top(records)).toEqual(top([...records].reverse()));
    expect(top(records).map((t) => t.answer)).toEqual(['=HYPERLINK("http://x")', "Shorter waiting time", "Nothing"]);
  });
});
