/**
 * What a sender can carry: Twilio sends each sender's messages at that sender's throughput and
 * queues the rest; a message queued too long fails (error 30001; a From whose queue exceeds the
 * limit refuses new messages, 21611: https://www.twilio.com/docs/api/errors/30001,
 * https://www.twilio.com/docs/api/errors/21611 — "a US long code number can send one message
 * segment per second, and a short code may send over 100"). WhatsApp senders: 10 text messages
 * per second by default, up to 50 on request
 * (https://www.twilio.com/docs/whatsapp/best-practices-and-faqs). Toll-free: 3 per second by
 * default. These are defaults; an account's own may differ, so they only drive a warning.
 */
export type SenderKind = "us-ca-long-code" | "us-ca-toll-free" | "short-code" | "whatsapp" | "messaging-service" | "other";

export interface SenderThroughput {
  kind: SenderKind;
  /** Messages (segments) per second by default, when the kind has a known one. */
  mps: number | undefined;
  label: string;
}

const NANP_TOLL_FREE = /^\+1(800|833|844|855|866|877|888)\d{7}$/;

/** Pure: the kind of a campaign or row sender, and its default throughput when known. */
export function senderThroughput(from: string): SenderThroughput {
  if (/^MG[0-9a-fA-F]{32}$/.test(from))
    return { kind: "messaging-service", mps: undefined, label: "a Messaging Service (a pool: its throughput is its senders' together)" };
  if (from.startsWith("whatsapp:")) return { kind: "whatsapp", mps: 10, label: "a WhatsApp sender (~10 messages/s by default)" };
  if (/^\+?\d{5,6}$/.test(from)) return { kind: "short-code", mps: 100, label: "a short code (~100 messages/s)" };
  if (NANP_TOLL_FREE.test(from))
    return { kind: "us-ca-toll-free", mps: 3, label: "a US/Canada toll-free number (~3 messages/s by default)" };
  if (/^\+1\d{10}$/.test(from)) return { kind: "us-ca-long-code", mps: 1, label: "a US/Canada long code (1 message/s)" };
  return { kind: "other", mps: undefined, label: "a sender of unknown throughput" };
}

export interface PaceEstimate {
  /** Seconds until the last contact's create, at the account rate and each sender's pace. */
  durationSeconds: number;
  warnings: string[];
}

/**
 * Pure: how long a campaign takes, and the queue it would build at Twilio where a sender's
 * known throughput is below the create rate and `rate.senderMps` does not pace it.
 */
export function estimatePace(options: {
  contactsBySender: ReadonlyMap<string, number>;
  perSecond: number;
  senderMps: number | undefined;
  messagesPerContact: number;
  /** What is counted: a survey's contacts, a standing campaign's reminders (the warning's words). */
  unit?: "contact" | "reminder";
}): PaceEstimate {
  const { perSecond, senderMps, messagesPerContact } = options;
  const total = [...options.contactsBySender.values()].reduce((a, b) => a + b, 0);
  let durationSeconds = total / perSecond;
  const warnings: string[] = [];
  for (const [from, contacts] of options.contactsBySender) {
    if (contacts === 0) continue; // nothing from it: no pace, no queue
    const senderRate = senderMps === undefined ? perSecond : Math.min(perSecond, senderMps / messagesPerContact);
    durationSeconds = Math.max(durationSeconds, contacts / senderRate);
    if (senderMps !== undefined) continue;
    const known = senderThroughput(from);
    if (known.kind === "messaging-service") {
      warnings.push(`${from} is ${known.label}: set rate.senderMps to the pool's throughput to pace creates to it`);
      continue;
    }
    // Unpaced, a sender gets its share of the account rate; Twilio sends at known.mps and queues the rest.
    const createRate = (perSecond * contacts) / total;
    const messagesPerSecond = createRate * messagesPerContact;
    if (known.mps === undefined || messagesPerSecond <= known.mps) continue;
    const sendSeconds = total / perSecond;
    const lastWaits = (contacts * messagesPerContact) / known.mps - sendSeconds;
    warnings.push(
      `${from} is ${known.label}, but this campaign starts ${messagesPerSecond.toFixed(1)} messages/s from it: ` +
        `Twilio would queue ${(messagesPerSecond - known.mps).toFixed(1)} messages/s, and the last of ${contacts} ${options.unit ?? "contact"}s would ` +
        `wait ~${formatDuration(lastWaits)} ` +
        `(queued messages fail after hours, error 30001; replies to earlier contacts wait behind them). Set rate.senderMps (e.g. ` +
        `${known.mps}) to pace creates to the sender`,
    );
  }
  return { durationSeconds, warnings };
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
