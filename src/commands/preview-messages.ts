import type { Campaign } from "../campaign/campaign.js";
import type { Contact } from "../contacts/contact.js";
import type { ShardSpec } from "../contacts/shard.js";
import { CampaignInputError } from "../errors.js";
import type { FlowDefinition } from "../flow/definition.js";
import { runFlow, type Branch, type MessageFate } from "../flow/run/run-flow.js";
import { countSegments, segmentsIfGsm } from "../flow/run/segments.js";
import { previewCampaign } from "./preview-campaign.js";
import type { RowAction } from "../engine/plan/row-action.js";

/** Which rows `preview` shows (docs/reference.md §18): by record number, by appointment key and reminder, else the first a run would send. */
export interface RowSelection {
  rows?: ReadonlySet<number> | undefined;
  key?: string | undefined;
  reminder?: string | undefined;
  /** Without a selection: this many of the rows a run now would send. Default 3. */
  first?: number;
}

export interface PreviewMessagesOptions {
  selection: RowSelection;
  /** The instant the run is imagined at (`--at`). */
  now: number;
  shard?: ShardSpec | undefined;
  /** `--reply WIDGET=TEXT`: the reply a Send & Wait For Reply widget gets; without one the path stops there. */
  replies: ReadonlyMap<string, string>;
  flow: FlowDefinition;
}

export interface PreviewedMessage {
  widget: string;
  body: string;
  length: number;
  encoding: "GSM-7" | "UCS-2";
  segments: number;
  warnings: string[];
}

export interface PreviewedRow {
  row: number;
  key: string | undefined;
  reminder: string | undefined;
  to: string;
  from: string;
  /** What a run at the time previewed would do with it: `send`, or why not (`created` already, `held`…). */
  plan: string;
  parameters: Record<string, unknown>;
  messages: PreviewedMessage[];
  /** Where the path waits for a reply: the widget and its branches. */
  stoppedAt: { widget: string; branches: Branch[] } | undefined;
}

/**
 * `preview`: the rows chosen as a run at `now` would plan them — their Parameters exactly as the
 * run would send them (row columns, static parameters, `reminder`, `display`) — each run through
 * the flow by the interpreter the simulator uses, with each message's length, encoding, segments
 * and warnings. Sends nothing, writes nothing.
 */
export async function previewMessages(campaign: Campaign, options: PreviewMessagesOptions): Promise<PreviewedRow[]> {
  const chosen: Array<{ contact: Contact; plan: string }> = [];
  const { selection } = options;
  const explicit = selection.rows !== undefined || selection.key !== undefined || selection.reminder !== undefined;
  const first = selection.first ?? 3;
  await previewCampaign(campaign, {
    now: options.now,
    shard: options.shard,
    onPlanned: (planned, action) => {
      if (planned.kind !== "contact" || planned.contact.retired) return;
      const { contact } = planned;
      const wanted = explicit ? matches(contact, selection) : action.kind === "send" && chosen.length < first;
      if (wanted) chosen.push({ contact, plan: planOf(action) });
    },
  });
  if (explicit)
    checkSelection(
      campaign,
      selection,
      chosen.map(({ contact }) => contact),
    );
  return chosen.map(({ contact, plan }) => previewContact(contact, { plan, flow: options.flow, replies: options.replies }));
}

/** What a run would do with the row, in a word or two. */
function planOf(action: RowAction): string {
  switch (action.kind) {
    case "count":
      return action.status;
    case "hold":
      return `held (${action.reason})`;
    case "expire":
      return "expired";
    case "opt-out":
      return "opted out";
    case "settle":
      return "in doubt: settled first";
    default:
      return action.kind;
  }
}

function matches(contact: Contact, selection: RowSelection): boolean {
  if (selection.rows !== undefined && !selection.rows.has(contact.row)) return false;
  if (selection.key !== undefined && contact.reminder?.key !== selection.key) return false;
  if (selection.reminder !== undefined && contact.reminder?.name !== selection.reminder) return false;
  return true;
}

/** A selection that names rows the plan does not have: exit 2, naming them. */
function checkSelection(campaign: Campaign, selection: RowSelection, chosen: readonly Contact[]): void {
  const found = new Set(chosen.map((c) => c.row));
  const missing = selection.rows ? [...selection.rows].filter((row) => !found.has(row)) : [];
  if (missing.length > 0)
    throw new CampaignInputError(
      `${campaign.contactsPath}: row(s) ${missing.join(", ")}: no sendable row of that number (invalid, excluded, past the end, or — a ` +
        `standing campaign — no reminder due at the time previewed: add --at)`,
    );
  if (chosen.length === 0)
    throw new CampaignInputError(
      `${campaign.contactsPath}: no ${selection.key !== undefined ? `appointment "${selection.key}"` : "row"}` +
        `${selection.reminder !== undefined ? ` with a "${selection.reminder}" reminder` : ""} to preview at the time previewed ` +
        `(a reminder shows when it is due: add --at with a time it is)`,
    );
}

/** The unit a run would send, as the flow would put it to its contact (`--reply`: the replies given; else the path waits). */
export interface PreviewedUnit {
  row: number;
  to: string;
  from: string;
  parameters: Record<string, unknown>;
  reminder?: { key: string; name: string } | undefined;
}

export function previewContact(
  contact: PreviewedUnit,
  options: { plan: string; flow: FlowDefinition; replies: ReadonlyMap<string, string> },
): PreviewedRow {
  const { plan } = options;
  const fate = (_message: unknown, widget: { name: string; type: string }): MessageFate => {
    if (widget.type !== "send-and-wait-for-reply") return { event: "sent" };
    const reply = options.replies.get(widget.name);
    return reply === undefined ? { event: "wait" } : { event: "incomingMessage", reply };
  };
  const run = runFlow(options.flow, { to: contact.to, from: contact.from, data: contact.parameters }, fate);
  return {
    row: contact.row,
    key: contact.reminder?.key,
    reminder: contact.reminder?.name,
    to: contact.to,
    from: contact.from,
    plan,
    parameters: contact.parameters,
    messages: run.messages.map((message) => {
      const count = countSegments(message.body);
      return {
        widget: message.widget,
        body: message.body,
        length: count.length,
        encoding: count.encoding,
        segments: count.segments,
        warnings: messageWarnings(message, count),
      };
    }),
    stoppedAt: run.waitingAt,
  };
}

/** An ISO 8601 date-time in the text: a machine timestamp in front of a person. */
const MACHINE_TIME = /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/;

/** What §18 warns about: an empty value, a machine timestamp, the characters that force UCS-2, a Liquid syntax error. Pure. */
export function messageWarnings(
  message: { body: string; empty: readonly string[]; error?: string },
  count: ReturnType<typeof countSegments>,
): string[] {
  const warnings: string[] = [];
  if (message.error) warnings.push(`Liquid syntax error: ${message.error} (Studio would not render this message either)`);
  for (const expression of message.empty) warnings.push(`{{ ${expression} }} rendered empty: the contact reads a blank there`);
  const stamp = MACHINE_TIME.exec(message.body)?.[0];
  if (stamp) warnings.push(`a machine timestamp in the text ("${stamp}"): write it as people read it (schedule.display, for reminders)`);
  if (count.encoding === "UCS-2") {
    const chars = count.ucs2Characters.map((c) => `${c} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")})`).join(", ");
    const plain = segmentsIfGsm(message.body);
    const cost = plain < count.segments ? `: ${count.segments} segments instead of ${plain}` : "";
    warnings.push(`UCS-2 because of ${chars}${cost}`);
  }
  return warnings;
}
