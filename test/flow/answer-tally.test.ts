import { describe, expect, it } from "vitest";
import { AnswerTally, foldAnswer } from "../../src/flow/answer-tally.js";
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
});
