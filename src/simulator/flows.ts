import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseDefinition, REST_API_TRIGGER_EVENT, SEND_AND_WAIT, type FlowDefinition } from "../flow/definition.js";
import { twilioDate } from "./resource.js";

/**
 * A flow the simulator serves: a Flow resource as `GET /v2/Flows/{Sid}` returns it (its
 * `definition`, `status`, `revision`, `valid`, `errors`, `warnings`), plus two simulator-only
 * keys: `published` (for a flow whose latest revision is a draft: the revision contacts run;
 * absent on a draft, the flow was never published) and `replies` (per widget, the answers
 * simulated contacts pick from).
 */
export interface SimulatedFlow {
  sid: string;
  friendly_name?: string;
  definition: unknown;
  status?: "draft" | "published";
  revision?: number;
  valid?: boolean;
  errors?: unknown[];
  warnings?: unknown[];
  published?: { revision: number; definition: unknown };
  replies?: Record<string, string[]>;
}

/** Flows from files: each a JSON file, or a folder of them (`--flow FILE|DIR`). */
export function loadFlowFiles(paths: readonly string[]): SimulatedFlow[] {
  const flows: SimulatedFlow[] = [];
  for (const p of paths) {
    const files = statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith(".json"))
          .sort()
          .map((f) => path.join(p, f))
      : [p];
    for (const file of files) {
      const flow = JSON.parse(readFileSync(file, "utf8")) as SimulatedFlow;
      if (typeof flow.sid !== "string" || !/^FW[0-9a-fA-F]{32}$/.test(flow.sid)) throw new Error(`${file}: "sid" must be a Flow SID`);
      flows.push(flow);
    }
  }
  return flows;
}

/**
 * Served for any flow without a definition of its own (the simulator's default: every
 * well-formed Flow SID exists): trigger → one message that reads `flow.data` whole, so a
 * preflight against it neither refuses nor warns about parameters.
 */
export function defaultFlow(sid: string): SimulatedFlow {
  return {
    sid,
    friendly_name: "Simulated flow",
    status: "published",
    revision: 1,
    definition: {
      description: "Simulated flow",
      initial_state: "Trigger",
      flags: { allow_concurrent_calls: true },
      states: [
        {
          name: "Trigger",
          type: "trigger",
          transitions: [{ event: "incomingMessage" }, { event: "incomingCall" }, { event: REST_API_TRIGGER_EVENT, next: "send_message" }],
          properties: {},
        },
        {
          name: "send_message",
          type: "send-message",
          transitions: [{ event: "sent" }, { event: "failed" }],
          properties: { body: "Hello {{flow.data | to_json}}", from: "{{flow.channel.address}}", to: "{{contact.channel.address}}" },
        },
      ],
    },
  };
}

/** `GET /v2/Flows/{Sid}` and `…/Revisions/{Revision}`, shaped as Twilio's OpenAPI examples. */
export function flowResource(flow: SimulatedFlow, accountSid: string, origin: string, which: "latest" | "published" | number) {
  const latestRevision = flow.revision ?? 1;
  const published = publishedRevision(flow);
  const pick =
    which === "latest" || which === latestRevision
      ? { revision: latestRevision, definition: flow.definition, status: flow.status ?? "published" }
      : published && (which === "published" || which === published.revision)
        ? { revision: published.revision, definition: published.definition, status: "published" }
        : undefined;
  if (!pick) return undefined;
  const url = `${origin}/v2/Flows/${flow.sid}`;
  return {
    sid: flow.sid,
    account_sid: accountSid,
    author_sid: "US00000000000000000000000000000000",
    friendly_name: flow.friendly_name ?? "Simulated flow",
    definition: pick.definition,
    status: pick.status,
    revision: pick.revision,
    commit_message: null,
    valid: flow.valid ?? true,
    errors: flow.errors ?? [],
    ...(which === "latest" ? { warnings: flow.warnings ?? [], webhook_url: `${origin}/v1/Accounts/${accountSid}/Flows/${flow.sid}` } : {}),
    date_created: twilioDate(0),
    date_updated: null,
    url: which === "latest" ? url : `${url}/Revisions/${pick.revision}`,
    ...(which === "latest"
      ? { links: { test_users: `${url}/TestUsers`, revisions: `${url}/Revisions`, executions: `${url}/Executions` } }
      : {}),
  };
}

function publishedRevision(flow: SimulatedFlow): { revision: number; definition: unknown } | undefined {
  if ((flow.status ?? "published") === "published") return { revision: flow.revision ?? 1, definition: flow.definition };
  return flow.published;
}

/** One widget run of a played Execution, for its Context and Steps. */
export interface PlayedStep {
  widget: string;
  type: string;
  /** The event taken out of the widget (Steps' `name`). */
  event: string;
  next: string | undefined;
  outbound?: Record<string, unknown>;
  inbound?: Record<string, unknown>;
  /** A failed message's Twilio error code (its Message resource carries it). */
  errorCode?: number;
  /** The contact's reply was an opt-out keyword: Twilio blocks this sender for the number from now on. */
  optedOut?: boolean;
}

/** How simulated contacts behave (seeded: the same seed plays the same survey). */
export interface ContactBehaviour {
  /** Share of contacts who answer each question, 0..1. */
  replyRate: number;
  /** Share of first messages that fail (an unreachable handset, a landline…), 0..1. */
  undeliveredRate: number;
  /** Share of replies that are an opt-out keyword (mixed case and spacing), 0..1. */
  optOutRate: number;
  seed: number;
}

/** Error codes a failed first message carries, picked by the seeded dice (studio-facts.md). */
const UNDELIVERED_CODES = [30003, 30005, 30006, 30007, 21614];
/** Opt-out replies as people type them: Twilio trims and ignores case. */
const OPT_OUT_REPLIES = ["STOP", " stop", "Stop ", "unsubscribe", "Cancel", "QUIT", "stopall", "End"];
const OPTED_OUT_ERROR = 21610;

const DEFAULT_REPLIES = ["yes", "no", "5", "4", "3"];
const MAX_STEPS = 50;

/**
 * Play the flow's published definition for one contact, deterministically: the trigger's
 * `incomingRequest` first; then each Send & Wait For Reply widget sends its rendered body, and
 * the contact replies when a hash of (seed, flow, contact, widget) falls under `replyRate` —
 * a reminder on another flow is a new chance — picking an answer from the flow's `replies` (or,
 * under `optOutRate`, an opt-out keyword); otherwise the widget times out. A first message fails (`deliveryFailure`, `failed`) under `undeliveredRate`,
 * and every message from a sender the contact opted out of fails with 21610 (`blocked`, or after
 * a STOP in this Execution), as Twilio refuses them. Other widgets take their first transition.
 */
export function playFlow(
  flow: SimulatedFlow,
  init: { to: string; from: string; data: Record<string, unknown>; blocked?: boolean } & ContactBehaviour,
): PlayedStep[] {
  const published = publishedRevision(flow);
  const definition = published ? parseDefinition(published.definition) : undefined;
  if (!definition) return [];
  const steps: PlayedStep[] = [];
  const byName = new Map(definition.states.map((w) => [w.name, w]));
  const trigger = definition.states.find((w) => w.type === "trigger");
  let next = trigger?.transitions?.find((t) => t.event === REST_API_TRIGGER_EVENT)?.next ?? undefined;
  if (trigger) steps.push({ widget: trigger.name, type: trigger.type, event: REST_API_TRIGGER_EVENT, next });
  let sent = 0;
  let messages = 0;
  let blocked = init.blocked ?? false;
  while (next && steps.length < MAX_STEPS) {
    const widget = byName.get(next);
    if (!widget) break;
    const follow = (event: string) => widget.transitions?.find((t) => t.event === event)?.next ?? undefined;
    const body = typeof widget.properties?.body === "string" ? render(widget.properties.body, init) : undefined;
    const isMessage = widget.type === SEND_AND_WAIT || widget.type === "send-message";
    // The first message may fail (an unreachable or landline number); any message fails once the contact opted out of this sender.
    const errorCode = !isMessage
      ? undefined
      : blocked
        ? OPTED_OUT_ERROR
        : messages++ === 0 && unitHash(init.seed + 2, init.to, `${flow.sid}|deliver`) < init.undeliveredRate
          ? UNDELIVERED_CODES[Math.floor(unitHash(init.seed + 3, init.to, `${flow.sid}|code`) * UNDELIVERED_CODES.length)]
          : undefined;
    if (widget.type === SEND_AND_WAIT) {
      const status = errorCode === undefined ? "delivered" : "failed";
      const outbound = { Body: body ?? "", From: init.from, To: init.to, Sid: messageSid(init, widget.name, "out"), Status: status };
      const replies = flow.replies?.[widget.name] ?? DEFAULT_REPLIES;
      const dice = unitHash(init.seed, init.to, `${flow.sid}|${widget.name}`);
      if (errorCode !== undefined) {
        steps.push({
          widget: widget.name,
          type: widget.type,
          event: "deliveryFailure",
          next: follow("deliveryFailure"),
          outbound,
          errorCode,
        });
      } else if (dice < init.replyRate) {
        const optOut = unitHash(init.seed + 4, init.to, `${flow.sid}|${widget.name}`) < init.optOutRate;
        const pick = (list: readonly string[]) =>
          list[Math.floor(unitHash(init.seed + 1, init.to, `${flow.sid}|${widget.name}`) * list.length)] ?? "";
        const answer = optOut ? pick(OPT_OUT_REPLIES) : pick(replies);
        const inbound = { Body: answer, From: init.to, To: init.from, Sid: messageSid(init, widget.name, "in") };
        steps.push({
          widget: widget.name,
          type: widget.type,
          event: "incomingMessage",
          next: follow("incomingMessage"),
          outbound,
          inbound,
          ...(optOut ? { optedOut: true } : {}),
        });
        if (optOut) blocked = true; // Twilio refuses this sender's later messages to the number (21610)
      } else {
        steps.push({ widget: widget.name, type: widget.type, event: "timeout", next: follow("timeout"), outbound });
      }
    } else if (widget.type === "send-message") {
      sent++;
      const event = errorCode === undefined ? "sent" : "failed";
      steps.push({
        widget: widget.name,
        type: widget.type,
        event,
        next: follow(event),
        outbound: { Body: body ?? "", Sid: messageSid(init, widget.name, `m${sent}`), Status: errorCode === undefined ? "sent" : "failed" },
        ...(errorCode !== undefined ? { errorCode } : {}),
      });
    } else {
      const first = widget.transitions?.find((t) => t.event === "noMatch") ?? widget.transitions?.[0];
      steps.push({ widget: widget.name, type: widget.type, event: first?.event ?? "next", next: first?.next ?? undefined });
    }
    next = steps.at(-1)?.next;
  }
  return steps;
}

/** The Execution Context (`context`) after the given steps. */
export function executionContext(init: { to: string; from: string; data: Record<string, unknown> }, steps: readonly PlayedStep[]) {
  const widgets: Record<string, unknown> = {};
  for (const step of steps) {
    if (step.outbound || step.inbound)
      widgets[step.widget] = { ...(step.outbound ? { outbound: step.outbound } : {}), ...(step.inbound ? { inbound: step.inbound } : {}) };
  }
  return {
    flow: { flow_sid: undefined, channel: { address: init.from }, data: init.data, variables: {} },
    contact: { channel: { address: init.to } },
    trigger: { request: { parameters: init.data } },
    widgets,
  };
}

/** `{{ flow.data.KEY }}` and `{{ … | default: "x" }}`; anything else renders empty, like Studio's unknown keys. */
function render(template: string, init: { to: string; from: string; data: Record<string, unknown> }): string {
  return template.replace(/\{\{([\s\S]*?)\}\}/g, (_all, body: string) => {
    const [head = "", ...filters] = body.split("|");
    const key = /^\s*flow\.data\.([\w-]+)\s*$/.exec(head)?.[1];
    let value = key !== undefined ? init.data[key] : /^\s*contact\.channel\.address\s*$/.test(head) ? init.to : undefined;
    const fallback = filters.map((f) => /^\s*default\s*:\s*["']([^"']*)["']/.exec(f)?.[1]).find((d) => d !== undefined);
    if ((value === undefined || value === "") && fallback !== undefined) value = fallback;
    return value === undefined ? "" : String(value);
  });
}

function unitHash(seed: number, to: string, widget: string): number {
  return createHash("sha256").update(`${seed}|${to}|${widget}`).digest().readUInt32BE(0) / 2 ** 32;
}

function messageSid(init: { to: string; seed: number }, widget: string, kind: string): string {
  return `SM${createHash("sha256").update(`${init.seed}|${init.to}|${widget}|${kind}`).digest("hex").slice(0, 32)}`;
}

export type { FlowDefinition };
