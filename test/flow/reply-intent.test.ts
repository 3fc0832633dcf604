import { describe, expect, it } from "vitest";
import { replyMeaning, stoppingIntent, withinOneEdit, type ReplyMeaning } from "../../src/flow/reply-intent.js";

/** The example intents of SPEC section 19. */
const INTENTS = new Map([
  ["confirmed", ["c", "confirm", "yes", "y", "1"]],
  ["cancel", ["x", "cancel", "no", "n", "2"]],
  ["reschedule", ["r", "reschedule", "3"]],
]);
const intent = (name: string): ReplyMeaning => ({ kind: "intent", intent: name });
const UNRECOGNIZED: ReplyMeaning = { kind: "unrecognized" };

describe("replyMeaning: the rules of SPEC section 19", () => {
  it.each<[string, string, ReplyMeaning]>([
    ["a word", "C", intent("confirmed")],
    ["case", "YES", intent("confirmed")],
    ["spaces around", "  y  ", intent("confirmed")],
    ["punctuation", "yes!!", intent("confirmed")],
    ["surrounding quotes", '"confirm"', intent("confirmed")],
    ["curly quotes", "“C”", intent("confirmed")],
    ["an emoji", "yes 👍", intent("confirmed")],
    ["an emoji alone before", "👍 yes", intent("confirmed")],
    ["a digit", "1", intent("confirmed")],
    ["the first word", "Confirm please", intent("confirmed")],
    ["the first word, with punctuation", "Yes, see you then.", intent("confirmed")],
    ["x", "x", intent("cancel")],
    ["cancel with more words: not an opt-out keyword", "Cancel please", intent("cancel")],
    ["no", "No.", intent("cancel")],
    ["2", "2", intent("cancel")],
    ["r", "R", intent("reschedule")],
    ["reschedule", "reschedule pls", intent("reschedule")],
    ["one transposition, 5+ letters", "confrim", intent("confirmed")],
    ["one transposition, cancel", "cancle", intent("cancel")],
    ["one deletion", "confim", intent("confirmed")],
    ["one insertion", "confirmm", intent("confirmed")],
    ["one substitution", "cancal", intent("cancel")],
    ["two edits: too far", "cnfrim", UNRECOGNIZED],
    ["a short word is never fuzzy", "yrs", UNRECOGNIZED],
    ["a 4-letter near miss is not matched", "yess", UNRECOGNIZED],
    ["maybe", "maybe", UNRECOGNIZED],
    ["empty", "", UNRECOGNIZED],
    ["only punctuation", "?!", UNRECOGNIZED],
    ["a word in the middle does not count", "I want to cancel", UNRECOGNIZED],
    ["STOP: opted out, never an intent", "STOP", { kind: "opted_out" }],
    ["CANCEL alone: Twilio's opt-out keyword", "CANCEL", { kind: "opted_out" }],
    ["cancel in any case and spacing", " cancel ", { kind: "opted_out" }],
    ["end", "End", { kind: "opted_out" }],
    ["STOP please is not a keyword, and no intent", "STOP please", UNRECOGNIZED],
    ["full-width letters", "ｙｅｓ", intent("confirmed")],
  ])("%s: %j", (_name, reply, expected) => {
    expect(replyMeaning(reply, INTENTS)).toEqual(expected);
  });

  it("a word two intents share is ambiguous; so is a fuzzy match of two intents' words", () => {
    const shared = new Map([
      ["confirmed", ["ok"]],
      ["reschedule", ["ok", "later"]],
    ]);
    expect(replyMeaning("OK", shared)).toEqual({ kind: "ambiguous", intents: ["confirmed", "reschedule"] });
    const near = new Map([
      ["a", ["apple"]],
      ["b", ["apply"]],
    ]);
    expect(replyMeaning("appla", near)).toEqual({ kind: "ambiguous", intents: ["a", "b"] });
  });
});

describe("withinOneEdit", () => {
  it.each([
    ["confirm", "confirm", true],
    ["confrim", "confirm", true],
    ["confirm", "confirms", true],
    ["onfirm", "confirm", true],
    ["confirn", "confirm", true],
    ["cofnrim", "confirm", false],
    ["abc", "cab", false],
  ])("%s ~ %s: %s", (a, b, expected) => {
    expect(withinOneEdit(a, b)).toBe(expected);
  });
});

describe("stoppingIntent: a reply that cancels its appointment's later reminders", () => {
  const rule = { intents: INTENTS, stopRemindersOn: new Set(["cancel"]) };
  it.each<[string, string | undefined, string | undefined]>([
    ["an intent of stopRemindersOn", "Cancel please", "cancel"],
    ["a misspelling of it", "cancle", "cancel"],
    ["another intent", "C", undefined],
    ["unrecognized", "maybe", undefined],
    ["CANCEL alone is an opt-out, not an intent", "CANCEL", undefined],
    ["no reply", undefined, undefined],
  ])("%s: %j", (_name, text, expected) => {
    expect(stoppingIntent(text === undefined ? undefined : { text }, rule)).toBe(expected);
  });

  it("a campaign without replies, or with no stopRemindersOn, stops nothing", () => {
    expect(stoppingIntent({ text: "x" }, undefined)).toBeUndefined();
    expect(stoppingIntent({ text: "x" }, { intents: INTENTS, stopRemindersOn: new Set() })).toBeUndefined();
  });
});
