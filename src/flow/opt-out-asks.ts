import type { FlowDefinition } from "./definition.js";

/**
 * A message that asks for an opt-out keyword as an answer — "Reply CANCEL to cancel your
 * appointment" — loses the patient for good: Twilio opts a contact who replies exactly CANCEL (or
 * END, QUIT) out of every message from the sender, and the booking system never hears why
 * (docs/reference.md §19). Asking for STOP or UNSUBSCRIBE to opt out is what they are for, and
 * is not flagged; nor is a sentence whose purpose is to opt out ("reply CANCEL to unsubscribe").
 */
const ANSWER_KEYWORDS = ["CANCEL", "END", "QUIT"] as const;

/** A sentence that asks for a reply. */
const REPLY_VERB = /\b(?:reply|replying|text|respond|answer|send|type)\b/i;
/** A sentence about opting out: the keyword is asked for what it does. */
const OPTING_OUT = /\b(?:opt(?:[\s-]?out)|unsubscribe|stop (?:receiving|getting|all)|no (?:more|longer) (?:messages|texts|reminders))\b/i;

/** The keywords each sending widget's body asks for as an answer: a warning a widget, naming it and the word. Pure. */
export function optOutWordsAsked(definition: FlowDefinition): string[] {
  const warnings: string[] = [];
  for (const widget of definition.states) {
    if (widget.type !== "send-message" && widget.type !== "send-and-wait-for-reply") continue;
    const body = widget.properties?.body;
    if (typeof body !== "string") continue;
    for (const word of askedKeywords(body))
      warnings.push(
        `widget ${widget.name} asks for "${word}" as a reply: Twilio opts a contact who replies ${word} out of every message ` +
          `from this sender, for good (docs/reference.md §19); ask for another word, e.g. "X"`,
      );
  }
  return warnings;
}

/**
 * The opt-out keywords a message asks for as answers, each once: in a sentence that asks for a
 * reply, written in capitals, in quotes, or right after the verb ("reply cancel"); not in a
 * sentence about opting out. Pure.
 */
export function askedKeywords(body: string): string[] {
  const asked = new Set<string>();
  for (const sentence of body.split(/[.!?\n]+/)) {
    if (!REPLY_VERB.test(sentence) || OPTING_OUT.test(sentence)) continue;
    for (const match of sentence.matchAll(/(["“'‘]?)\b(cancel|end|quit)\b(["”'’]?)/gi)) {
      const [, open, written, close] = match as unknown as [string, string, string, string];
      const word = written.toUpperCase() as (typeof ANSWER_KEYWORDS)[number];
      const before = sentence.slice(0, match.index).trimEnd();
      const quoted = open !== "" && close !== "";
      const afterVerb = /\b(?:reply|replying|text|respond|answer|send|type)(?:\s+(?:with|back))?\s*:?$/i.test(before);
      if (written === word || quoted || afterVerb) asked.add(word);
    }
  }
  return ANSWER_KEYWORDS.filter((word) => asked.has(word));
}
