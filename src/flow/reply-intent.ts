import { OPT_OUT_KEYWORDS } from "./outcome.js";

/**
 * What a reply means (docs/reference.md §19; no command reads it yet): the reply trimmed,
 * case-folded, stripped of punctuation, emoji and surrounding quotes, then matched against each
 * intent's words — the whole reply, or its first word, equal to a word; failing that, a first
 * word of 5 letters or more within one edit (insertion, deletion, substitution, or two neighbours
 * swapped) of exactly one intent's word of 5 letters or more ("cancle", "confrim"). Several
 * intents: `ambiguous`; none: `unrecognized`. A reply that is exactly an opt-out keyword
 * (Twilio's: the opt-out list's) is `opted_out`, whatever the intents say. Pure.
 */
export type ReplyMeaning =
  { kind: "intent"; intent: string } | { kind: "ambiguous"; intents: string[] } | { kind: "unrecognized" } | { kind: "opted_out" };

/** Intent name → its words, as the campaign file gives them. */
export type Intents = ReadonlyMap<string, readonly string[]>;

const MIN_FUZZY = 5;

export function replyMeaning(reply: string, intents: Intents): ReplyMeaning {
  if (OPT_OUT_KEYWORDS.has(reply.trim().toUpperCase())) return { kind: "opted_out" };
  const text = normalizeReply(reply);
  if (text === "") return { kind: "unrecognized" };
  const first = text.split(" ")[0]!;
  const exact = matching(intents, (word) => word === text || word === first);
  if (exact.length > 0) return verdict(exact);
  if ([...first].length < MIN_FUZZY) return { kind: "unrecognized" };
  return verdict(matching(intents, (word) => [...word].length >= MIN_FUZZY && withinOneEdit(first, word)));
}

/** Trimmed, lower case, without punctuation, symbols, emoji or surrounding quotes; runs of spaces as one. */
export function normalizeReply(reply: string): string {
  return reply
    .normalize("NFKC")
    .toLocaleLowerCase("und")
    .replace(/[\p{P}\p{S}\p{Extended_Pictographic}\u200d\ufe0f]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function matching(intents: Intents, test: (word: string) => boolean): string[] {
  return [...intents].filter(([, words]) => words.some((w) => test(normalizeReply(w)))).map(([name]) => name);
}

function verdict(names: string[]): ReplyMeaning {
  if (names.length === 0) return { kind: "unrecognized" };
  return names.length === 1 ? { kind: "intent", intent: names[0]! } : { kind: "ambiguous", intents: names };
}

/** Optimal string alignment distance ≤ 1: one insertion, deletion, substitution, or adjacent transposition. */
export function withinOneEdit(a: string, b: string): boolean {
  const x = [...a];
  const y = [...b];
  if (Math.abs(x.length - y.length) > 1) return false;
  if (x.length === y.length) {
    const diff = x.flatMap((c, i) => (c === y[i] ? [] : [i]));
    if (diff.length <= 1) return true;
    return diff.length === 2 && diff[1] === diff[0]! + 1 && x[diff[0]!] === y[diff[1]!] && x[diff[1]!] === y[diff[0]!];
  }
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  return short.slice(i).join("") === long.slice(i + 1).join("");
}

/** A reply's intent when it is one of `stopRemindersOn` (docs/reference.md §19): its appointment's later reminders are not sent. */
export function stoppingIntent(
  reply: { text: string } | undefined,
  rule: { intents: Intents; stopRemindersOn: ReadonlySet<string> } | undefined,
): string | undefined {
  if (!reply || !rule || rule.stopRemindersOn.size === 0) return undefined;
  const meaning = replyMeaning(reply.text, rule.intents);
  return meaning.kind === "intent" && rule.stopRemindersOn.has(meaning.intent) ? meaning.intent : undefined;
}

/** A reminder's message when a reply cancelled it: `replied cancel at 2026-12-04T09:12:00.000Z ("Cancel please")`. */
export function cancelledByReplyMessage(intent: string, reply: { text: string; repliedAt: string }): string {
  return `replied ${intent} at ${reply.repliedAt} (${JSON.stringify(reply.text)}): not sent`;
}
