import { REST_API_TRIGGER_EVENT, SEND_AND_WAIT, type FlowDefinition, type FlowTransition, type FlowWidget } from "../definition.js";
import { renderLiquid, type Rendered } from "./liquid.js";
import { conditionMatches, isConditionType } from "./split-condition.js";

/** Who the Execution is for: the create's To, From and Parameters (`flow.data`). */
export interface FlowRunInit {
  to: string;
  from: string;
  data: Record<string, unknown>;
  flowSid?: string;
}

/** A message a widget sends, rendered: its body, the outputs that rendered empty, a Liquid error. */
export interface RenderedMessage {
  widget: string;
  body: string;
  empty: string[];
  error?: string;
}

/**
 * What happened to a message (the caller decides: the simulator by its seeded dice, `preview`
 * by `--reply`): Send Message's `sent`/`failed`, Send & Wait For Reply's `incomingMessage` (with
 * the reply), `timeout` or `deliveryFailure`; `wait` stops the run there (the contact has not
 * answered yet).
 */
export type MessageFate =
  | { event: "sent" }
  | { event: "failed"; errorCode: number }
  | { event: "incomingMessage"; reply: string; optedOut?: boolean }
  | { event: "timeout" }
  | { event: "deliveryFailure"; errorCode: number }
  | { event: "wait" };

/** One widget run, as Steps and the Context show it. */
export interface FlowStep {
  widget: string;
  type: string;
  /** The event taken out of the widget (Steps' `name`). */
  event: string;
  next: string | undefined;
  outbound?: Record<string, unknown>;
  inbound?: Record<string, unknown>;
  errorCode?: number;
  optedOut?: boolean;
  /** A widget type this interpreter does not run: it took its success transition. */
  note?: string;
}

export interface FlowRun {
  steps: FlowStep[];
  messages: RenderedMessage[];
  /** `flow.variables` set by Set Variables widgets. */
  variables: Record<string, unknown>;
  /** Where the run stopped waiting for a reply: the widget and its branches. */
  waitingAt?: { widget: string; branches: Branch[] } | undefined;
}

export interface Branch {
  event: string;
  next: string | undefined;
  /** A split's conditions, or what a reply transition means. */
  when: string;
}

const MAX_STEPS = 200;
/** The success transition of a widget this interpreter does not run, by preference. */
const SUCCESS_EVENTS = ["success", "next", "sent", "completed", "answered", "match", "noMatch"];

/**
 * One flow interpreter for `preview` and the simulator (docs/reference.md §18): from the REST
 * API trigger's `incomingRequest`, widget by widget — Send Message and Send & Wait For Reply
 * render their body with Liquid and ask `fate` what happened to it, Split Based On… takes the
 * first transition whose conditions all match (else `noMatch`), Set Variables sets
 * `flow.variables`; any other widget takes its success transition and is noted.
 */
export function runFlow(
  definition: FlowDefinition,
  init: FlowRunInit,
  fate: (message: RenderedMessage, widget: FlowWidget) => MessageFate,
): FlowRun {
  const byName = new Map(definition.states.map((w) => [w.name, w]));
  const run: FlowRun = { steps: [], messages: [], variables: {} };
  const widgets: Record<string, unknown> = {};
  const context = () => studioContext(init, run.variables, widgets);
  const trigger = definition.states.find((w) => w.type === "trigger") ?? byName.get(definition.initial_state ?? "");
  let next = follow(trigger, REST_API_TRIGGER_EVENT);
  if (trigger) run.steps.push({ widget: trigger.name, type: trigger.type, event: REST_API_TRIGGER_EVENT, next });
  while (next !== undefined && run.steps.length < MAX_STEPS) {
    const widget = byName.get(next);
    if (!widget) break;
    const step = runWidget(widget, { init, run, widgets, context, fate });
    if (step === "wait") {
      run.waitingAt = { widget: widget.name, branches: branchesOf(widget, byName) };
      break;
    }
    run.steps.push(step);
    next = step.next;
  }
  return run;
}

interface RunState {
  init: FlowRunInit;
  run: FlowRun;
  widgets: Record<string, unknown>;
  context: () => Record<string, unknown>;
  fate: (message: RenderedMessage, widget: FlowWidget) => MessageFate;
}

function runWidget(widget: FlowWidget, state: RunState): FlowStep | "wait" {
  const { run, context } = state;
  const base = { widget: widget.name, type: widget.type };
  if (widget.type === "send-message" || widget.type === SEND_AND_WAIT) return runMessage(widget, state);
  if (widget.type === "split-based-on") {
    const subject = render(widget.properties?.input, context()).text;
    const matched = (widget.transitions ?? []).find((t) => t.event !== "noMatch" && conditionsHold(t, subject, context()));
    const event = matched ? matched.event : "noMatch";
    return { ...base, event, next: matched ? (matched.next ?? undefined) : follow(widget, "noMatch") };
  }
  if (widget.type === "set-variables") {
    const list = Array.isArray(widget.properties?.variables)
      ? (widget.properties.variables as Array<{ key?: unknown; value?: unknown }>)
      : [];
    for (const { key, value } of list) if (typeof key === "string") run.variables[key] = render(value, context()).text;
    return { ...base, event: "next", next: follow(widget, "next") };
  }
  const success = SUCCESS_EVENTS.map((e) => widget.transitions?.find((t) => t.event === e)).find(Boolean) ?? widget.transitions?.[0];
  return {
    ...base,
    event: success?.event ?? "next",
    next: success?.next ?? undefined,
    note: `a ${widget.type} widget: not run, took "${success?.event ?? "next"}"`,
  };
}

/** Send Message and Send & Wait For Reply: the body rendered, its fate asked, the Context's `widgets.NAME` set. */
function runMessage(widget: FlowWidget, state: RunState): FlowStep | "wait" {
  const { init, run, widgets, context } = state;
  const base = { widget: widget.name, type: widget.type };
  const rendered = render(widget.properties?.body, context());
  const message: RenderedMessage = {
    widget: widget.name,
    body: rendered.text,
    empty: rendered.empty,
    ...(rendered.error ? { error: rendered.error } : {}),
  };
  const outcome = state.fate(message, widget);
  run.messages.push(message);
  if (outcome.event === "wait") return "wait";
  const outbound = { Body: message.body, From: init.from, To: init.to };
  if (outcome.event === "incomingMessage") {
    const inbound = { Body: outcome.reply, From: init.to, To: init.from };
    widgets[widget.name] = { outbound, inbound };
    return {
      ...base,
      event: outcome.event,
      next: follow(widget, outcome.event),
      outbound,
      inbound,
      ...(outcome.optedOut ? { optedOut: true } : {}),
    };
  }
  widgets[widget.name] = { outbound };
  const errorCode = "errorCode" in outcome ? outcome.errorCode : undefined;
  return {
    ...base,
    event: outcome.event,
    next: follow(widget, outcome.event),
    outbound,
    ...(errorCode !== undefined ? { errorCode } : {}),
  };
}

function conditionsHold(transition: FlowTransition, subject: string, context: Record<string, unknown>): boolean {
  const conditions = Array.isArray(transition.conditions) ? (transition.conditions as Array<Record<string, unknown>>) : [];
  if (conditions.length === 0) return false;
  return conditions.every((c) => {
    const type = typeof c.type === "string" ? c.type : "";
    if (!isConditionType(type)) return false;
    return conditionMatches(type, subject, render(c.value, context).text);
  });
}

/** Where a waiting widget may lead: a reply (through the split that reads it, condition by condition), no reply, no delivery. */
function branchesOf(widget: FlowWidget, byName: ReadonlyMap<string, FlowWidget>): Branch[] {
  return (widget.transitions ?? []).flatMap((t): Branch[] => {
    const next = t.next ?? undefined;
    if (t.event !== "incomingMessage")
      return [{ event: t.event, next, when: t.event === "timeout" ? "no reply in time" : "not delivered" }];
    const split = next === undefined ? undefined : byName.get(next);
    if (split?.type !== "split-based-on") return [{ event: t.event, next, when: "a reply" }];
    return (split.transitions ?? []).map((s) => ({ event: t.event, next: s.next ?? undefined, when: describeConditions(s) }));
  });
}

function describeConditions(transition: FlowTransition): string {
  if (transition.event === "noMatch") return "a reply matching none of the others";
  const conditions = Array.isArray(transition.conditions) ? (transition.conditions as Array<Record<string, unknown>>) : [];
  return `a reply ${conditions.map((c) => `${String(c.type ?? "?").replaceAll("_", " ")} "${String(c.value ?? "")}"`).join(" and ")}`;
}

function follow(widget: FlowWidget | undefined, event: string): string | undefined {
  return widget?.transitions?.find((t) => t.event === event)?.next ?? undefined;
}

function render(template: unknown, context: Record<string, unknown>): Rendered {
  return typeof template === "string" ? renderLiquid(template, context) : { text: "", empty: [] };
}

/** What Liquid sees (studio-facts.md): `flow.data`, `flow.variables`, `flow.channel`, `contact`, `trigger`, `widgets`. */
export function studioContext(
  init: FlowRunInit,
  variables: Record<string, unknown>,
  widgets: Record<string, unknown>,
): Record<string, unknown> {
  return {
    flow: { flow_sid: init.flowSid, channel: { address: init.from }, data: init.data, variables },
    contact: { channel: { address: init.to } },
    trigger: { request: { parameters: init.data } },
    widgets,
  };
}
