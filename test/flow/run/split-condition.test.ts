import { describe, expect, it } from "vitest";
import { conditionMatches, type ConditionType } from "../../../src/flow/run/split-condition.js";

describe("conditionMatches: Studio's Split Based On… predicates", () => {
  it.each<[ConditionType, string, string, boolean]>([
    ["equal_to", "visit-survey", "visit-survey", true],
    ["equal_to", " YES ", "yes", true],
    ["equal_to", "yes please", "yes", false],
    ["not_equal_to", "no", "yes", true],
    ["matches_any_of", "Y", "yes, y, 1", true],
    ["matches_any_of", "yep", "yes, y, 1", false],
    ["does_not_match_any_of", "maybe", "yes,no", true],
    ["contains", "Cancel please", "cancel", true],
    ["does_not_contain", "confirm", "cancel", true],
    ["starts_with", "Confirm!", "conf", true],
    ["does_not_start_with", "x", "c", true],
    ["is_blank", "   ", "", true],
    ["is_blank", "a", "", false],
    ["is_not_blank", "a", "", true],
    ["regex", "C", "^[Cc]$", true],
    ["regex", "cc", "^[Cc]$", false],
    ["regex", "x", "(", false], // a pattern JavaScript cannot compile matches nothing
    ["greater_than", "10", "9", true], // numbers as numbers
    ["less_than", "9", "10", true],
    ["greater_than", "b", "a", true], // text as text
  ])("%s: %j vs %j → %s", (type, subject, value, expected) => {
    expect(conditionMatches(type, subject, value)).toBe(expected);
  });
});
