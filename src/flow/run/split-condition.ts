/**
 * Studio's Split Based On… conditions (https://www.twilio.com/docs/studio/widget-library/split-based-on):
 * subject (the widget's input, rendered), predicate (`type`), value (rendered). Pure. Twilio's page
 * does not say how case and spaces compare; here both sides are trimmed and compared without
 * regard to case — what flows written for "YES" and "yes" alike assume — and `matches_any_of`
 * takes a comma-separated list. `regex` is the value as a JavaScript pattern, as written.
 */
export const CONDITION_TYPES = [
  "equal_to",
  "not_equal_to",
  "matches_any_of",
  "does_not_match_any_of",
  "contains",
  "does_not_contain",
  "starts_with",
  "does_not_start_with",
  "is_blank",
  "is_not_blank",
  "regex",
  "greater_than",
  "less_than",
] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

export function isConditionType(type: string): type is ConditionType {
  return (CONDITION_TYPES as readonly string[]).includes(type);
}

export function conditionMatches(type: ConditionType, subject: string, value: string): boolean {
  const s = fold(subject);
  const v = fold(value);
  switch (type) {
    case "equal_to":
      return s === v;
    case "not_equal_to":
      return s !== v;
    case "matches_any_of":
      return anyOf(v).includes(s);
    case "does_not_match_any_of":
      return !anyOf(v).includes(s);
    case "contains":
      return s.includes(v);
    case "does_not_contain":
      return !s.includes(v);
    case "starts_with":
      return s.startsWith(v);
    case "does_not_start_with":
      return !s.startsWith(v);
    case "is_blank":
      return s === "";
    case "is_not_blank":
      return s !== "";
    case "regex":
      return regexMatches(value.trim(), subject);
    case "greater_than":
      return compare(s, v) > 0;
    case "less_than":
      return compare(s, v) < 0;
  }
}

/** A `regex` condition's pattern that JavaScript cannot compile: its error, for the simulator's refusal. */
export function regexError(pattern: string): string | undefined {
  try {
    new RegExp(pattern.trim());
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function regexMatches(pattern: string, subject: string): boolean {
  return regexError(pattern) === undefined && new RegExp(pattern).test(subject);
}

function fold(text: string): string {
  return text.trim().toLowerCase();
}

function anyOf(list: string): string[] {
  return list.split(",").map((item) => item.trim());
}

/** Numbers as numbers when both sides are; else as text. */
function compare(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a !== "" && b !== "" && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}
