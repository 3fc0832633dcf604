import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseDefinition, REST_API_TRIGGER_EVENT, SEND_AND_WAIT, type FlowDefinition } from "../flow/definition.js";
import { runFlow, studioContext, type FlowStep, type MessageFate } from "../flow/run/run-flow.js";
import { twilioDate } from "./resource.js";
import { OPT_OUT_KEYWORDS } from "../flow/outcome.js";
import type { ScriptedContact } from "./options.js";

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

/** One widget run of a played Execution, for its Context and Steps (the interpreter's step, its messages with their SIDs). */
export type PlayedStep = FlowStep;

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

/**
 * Play the flow's published definition for one contact with the flow interpreter
 * (`flow/run/run-flow.ts`, as `preview` does): Liquid rendered, splits and Set Variables followed.
 * The contact is simulated deterministically: a Send & Wait For Reply is answered when a hash of
 * (seed, flow, contact, widget) falls under `replyRate` — a reminder on another flow is a new
 * chance — with an answer from the flow's `replies` (or, under `optOutRate`, an opt-out keyword),
 * otherwise it times out. A first message fails (`deliveryFailure`, `failed`) under
 * `undeliveredRate`, and every message from a sender the contact opted out of fails with 21610
 * (`blocked`, or after a STOP in this Execution), as Twilio refuses them.
 */
export function playFlow(
  flow: SimulatedFlow,
  init: {
    to: string;
    from: string;
    data: Record<string, unknown>;
    blocked?: boolean;
    scripted?: ScriptedContact | undefined;
  } & ContactBehaviour,
): { steps: PlayedStep[]; variables: Record<string, unknown> } {
  const published = publishedRevision(flow);
  const definition = published ? parseDefinition(published.definition) : undefined;
  if (!definition) return { steps: [], variables: {} };
  let messages = 0;
  let blocked = init.blocked ?? false;
  const run = runFlow(definition, { to: init.to, from: init.from, data: init.data, flowSid: flow.sid }, (_message, widget): MessageFate => {
    // The first message may fail (an unreachable or landline number); any message fails once the contact opted out of this sender.
    const errorCode = blocked
      ? OPTED_OUT_ERROR
      : messages++ === 0 && unitHash(init.seed + 2, init.to, `${flow.sid}|deliver`) < init.undeliveredRate
        ? UNDELIVERED_CODES[Math.floor(unitHash(init.seed + 3, init.to, `${flow.sid}|code`) * UNDELIVERED_CODES.length)]!
        : undefined;
    if (widget.type !== SEND_AND_WAIT) return errorCode === undefined ? { event: "sent" } : { event: "failed", errorCode };
    if (errorCode !== undefined) return { event: "deliveryFailure", errorCode };
    const scripted = init.scripted?.reply;
    if (scripted === null) return { event: "timeout" };
    if (scripted !== undefined) {
      const optedOut = OPT_OUT_KEYWORDS.has(scripted.trim().toUpperCase());
      if (optedOut) blocked = true;
      return { event: "incomingMessage", reply: scripted, ...(optedOut ? { optedOut } : {}) };
    }
    if (unitHash(init.seed, init.to, `${flow.sid}|${widget.name}`) >= init.replyRate) return { event: "timeout" };
    const optOut = unitHash(init.seed + 4, init.to, `${flow.sid}|${widget.name}`) < init.optOutRate;
    const pick = (list: readonly string[]) =>
      list[Math.floor(unitHash(init.seed + 1, init.to, `${flow.sid}|${widget.name}`) * list.length)] ?? "";
    if (optOut) blocked = true; // Twilio refuses this sender's later messages to the number (21610)
    return {
      event: "incomingMessage",
      reply: optOut ? pick(OPT_OUT_REPLIES) : pick(flow.replies?.[widget.name] ?? DEFAULT_REPLIES),
      ...(optOut ? { optedOut: true } : {}),
    };
  });
  // Each message gets its SID and status, as the Context's widgets.<name>.outbound shows them.
  let sent = 0;
  const steps = run.steps.map((step): PlayedStep => {
    if (!step.outbound) return step;
    const kind = step.type === SEND_AND_WAIT ? "out" : `m${++sent}`;
    const status = step.errorCode !== undefined ? "failed" : step.type === SEND_AND_WAIT ? "delivered" : "sent";
    const outbound = { ...step.outbound, Sid: messageSid(init, step.widget, kind), Status: status };
    const inbound = step.inbound ? { ...step.inbound, Sid: messageSid(init, step.widget, "in") } : undefined;
    return { ...step, outbound, ...(inbound ? { inbound } : {}) };
  });
  return { steps, variables: run.variables };
}

/** The Execution Context (`context`) after the given steps. */
export function executionContext(
  init: { to: string; from: string; data: Record<string, unknown>; variables?: Record<string, unknown> | undefined },
  steps: readonly PlayedStep[],
) {
  const widgets: Record<string, unknown> = {};
  for (const step of steps) {
    if (step.outbound || step.inbound)
      widgets[step.widget] = { ...(step.outbound ? { outbound: step.outbound } : {}), ...(step.inbound ? { inbound: step.inbound } : {}) };
  }
  // The same shape the interpreter renders with.
  return studioContext(init, init.variables ?? {}, widgets);
}

function unitHash(seed: number, to: string, widget: string): number {
  return createHash("sha256").update(`${seed}|${to}|${widget}`).digest().readUInt32BE(0) / 2 ** 32;
}

function messageSid(init: { to: string; seed: number }, widget: string, kind: string): string {
  return `SM${createHash("sha256").update(`${init.seed}|${init.to}|${widget}|${kind}`).digest("hex").slice(0, 32)}`;
}

export type { FlowDefinition };
