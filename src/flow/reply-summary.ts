import type { ContactReply } from "./contact-reply.js";
import { replyMeaning, type Intents, type ReplyMeaning } from "./reply-intent.js";

/** How the replies of a campaign read (docs/reference.md §19): how many, and by intent. */
export interface ReplySummary {
  replied: number;
  late: number;
  /** Every intent of the campaign (in its order, zero counts too), then `ambiguous`, `unrecognized`, `opted_out`. */
  counts: Array<{ intent: string; count: number }>;
}

/** A reply's intent as the report's `intent` cell writes it: the intent's name, or `ambiguous`, `unrecognized`, `opted_out`. */
export function intentCell(meaning: ReplyMeaning): string {
  return meaning.kind === "intent" ? meaning.intent : meaning.kind;
}

/** Pure: the replies, counted by what they mean. */
export function summarizeReplies(replies: Iterable<ContactReply>, intents: Intents): ReplySummary {
  const counts = new Map<string, number>([...intents.keys(), "ambiguous", "unrecognized", "opted_out"].map((name) => [name, 0]));
  let replied = 0;
  let late = 0;
  for (const reply of replies) {
    replied++;
    if (reply.late) late++;
    const cell = intentCell(replyMeaning(reply.text, intents));
    counts.set(cell, (counts.get(cell) ?? 0) + 1);
  }
  return { replied, late, counts: [...counts].map(([intent, count]) => ({ intent, count })) };
}
