import { normalizeReply } from "../flow/reply-intent.js";
import type { RepliesRule } from "./campaign.js";
import { parseDuration } from "./duration.js";

type Fail = (key: string, expected: string, got?: unknown) => never;

const KEYS = ["from", "intents", "stopRemindersOn", "lateWithin"];
const DEFAULT_LATE_WITHIN = "24h";

/**
 * A campaign file's `replies` (docs/reference.md §19), every key checked: an error names the key
 * and what was expected (exit 2). Intent names are `[a-z][a-z0-9_-]*`; each word must keep
 * something once normalized as a reply is (a word of only punctuation could never match).
 */
export function parseReplies(raw: unknown, fail: Fail): RepliesRule {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("replies", "an object with from and intents");
  const replies = raw as Record<string, unknown>;
  for (const key of Object.keys(replies)) if (!KEYS.includes(key)) fail(`replies.${key}`, `one of ${KEYS.join(", ")} (unknown key)`);
  const from = replies.from;
  if (typeof from !== "string" || !/^[^.\s]+(\.[^.\s]+)*$/.test(from))
    fail("replies.from", 'a dotted path into the Execution Context such as "widgets.confirm.inbound.Body"', from);
  const intents = parseIntents(replies.intents, fail);
  const stop = replies.stopRemindersOn ?? [];
  if (!Array.isArray(stop) || !stop.every((name) => typeof name === "string" && intents.has(name)))
    fail("replies.stopRemindersOn", `an array of intent names (${[...intents.keys()].join(", ")})`, stop);
  const lateWithin = replies.lateWithin ?? DEFAULT_LATE_WITHIN;
  const lateWithinMs = parseDuration(lateWithin) ?? fail("replies.lateWithin", 'a duration such as "24h" (s, m, h, d)', lateWithin);
  return { from: from as string, intents, stopRemindersOn: new Set(stop as string[]), lateWithin: lateWithin as string, lateWithinMs };
}

function parseIntents(raw: unknown, fail: Fail): Map<string, string[]> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || Object.keys(raw).length === 0)
    return fail("replies.intents", 'an object of intent → words, e.g. {"confirmed": ["c", "yes"]}', raw);
  const intents = new Map<string, string[]>();
  for (const [name, words] of Object.entries(raw)) {
    if (!/^[a-z][a-z0-9_-]*$/.test(name))
      fail(`replies.intents.${name}`, "named by lower-case letters, digits, _ and - (starting with a letter)");
    if (!Array.isArray(words) || words.length === 0 || !words.every((w) => typeof w === "string" && normalizeReply(w) !== ""))
      fail(`replies.intents.${name}`, "a non-empty array of words (each with a letter or digit)", words);
    intents.set(name, words as string[]);
  }
  return intents;
}
