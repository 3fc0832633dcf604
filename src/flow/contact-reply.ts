import type { StepEvent } from "./outcome.js";
import { valueAtPath } from "./results-columns.js";

/** A contact's reply (docs/reference.md §19), as the ledger's `reply` line records it. */
export interface ContactReply {
  text: string;
  /** When the contact sent it (ISO 8601 UTC). */
  repliedAt: string;
  /** From the Messages resource, after the Execution stopped waiting. */
  late: boolean;
}

/** The widget a Context path reads the reply of (`widgets.<name>.inbound…`), if any. */
export function replyWidget(path: string): string | undefined {
  return /^widgets\.([^.]+)\.inbound(\.|$)/.exec(path)?.[1];
}

/**
 * The contact's reply in an ended Execution (docs/reference.md §19): the text at the `from` path
 * of its Context — as sent, an opt-out keyword too (its intent is `opted_out`) — and when it was
 * sent: the latest `incomingMessage` Step of the widget the path reads (Steps oldest first), else
 * `fallbackAt`. Undefined when there is none (no text, or only spaces). Pure.
 */
export function contextReply(
  context: unknown,
  stepsOldestFirst: readonly StepEvent[],
  options: { from: string; fallbackAt: string },
): ContactReply | undefined {
  const text = valueAtPath(context, options.from);
  if (typeof text !== "string" || text.trim() === "") return undefined;
  const widget = replyWidget(options.from);
  const step = stepsOldestFirst.findLast((s) => s.name === "incomingMessage" && (widget === undefined || s.transitioned_from === widget));
  const at = Date.parse(step?.date_created ?? "");
  return { text, repliedAt: Number.isNaN(at) ? options.fallbackAt : new Date(at).toISOString(), late: false };
}

/** A message as the Messages list shows it, the fields a late reply is chosen by. */
export interface InboundCandidate {
  body: string;
  direction: string;
  messaging_service_sid?: string | null | undefined;
  /** RFC 2822, as the 2010-04-01 API writes it; null while not sent. */
  date_sent: string | null;
}

/**
 * A late reply (docs/reference.md §19): of the messages listed, the first inbound one the contact
 * sent after the Execution was created (`after`, ms; in its second or later, as `date_sent` has whole seconds), no later than `until` (its creation plus
 * `lateWithin`) and before `before` (the campaign's next Execution to that number); to a
 * Messaging Service sender, one that reached that service (`messagingService`). Pure.
 */
export function lateReply(
  messages: readonly InboundCandidate[],
  window: { after: number; until: number; before: number; messagingService?: string | undefined },
): ContactReply | undefined {
  let first: { body: string; at: number } | undefined;
  // `date_sent` has whole seconds: a reply in the second the Execution was created counts.
  const after = Math.floor(window.after / 1000) * 1000;
  for (const message of messages) {
    if (message.direction !== "inbound") continue;
    if (window.messagingService !== undefined && message.messaging_service_sid !== window.messagingService) continue;
    const at = Date.parse(message.date_sent ?? "");
    if (!(at >= after && at <= window.until && at < window.before)) continue;
    if (first === undefined || at < first.at) first = { body: message.body, at };
  }
  return first && { text: first.body, repliedAt: new Date(first.at).toISOString(), late: true };
}
