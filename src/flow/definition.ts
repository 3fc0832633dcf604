/**
 * A Studio Flow definition, as `GET /v2/Flows/{Sid}` and `…/Revisions/{Revision}` return it in
 * `definition` (Twilio's OpenAPI leaves its schema open; the shape here is Studio's flow JSON:
 * https://www.twilio.com/docs/studio/rest-api/v2/flow). Read purely: nothing here does I/O.
 */
export interface FlowTransition {
  event: string;
  next?: string | null;
  conditions?: unknown[];
  [key: string]: unknown;
}

export interface FlowWidget {
  name: string;
  type: string;
  transitions?: FlowTransition[];
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface FlowDefinition {
  description?: string;
  states: FlowWidget[];
  initial_state?: string;
  flags?: Record<string, unknown>;
}

/** The widget type whose reply is a survey answer (Send & Wait For Reply). */
export const SEND_AND_WAIT = "send-and-wait-for-reply";
/** The transition of the trigger widget that REST API Executions fire. */
export const REST_API_TRIGGER_EVENT = "incomingRequest";

/** Parse what the API returned in `definition`: an object (or, defensively, its JSON text). */
export function parseDefinition(raw: unknown): FlowDefinition | undefined {
  const value = typeof raw === "string" ? safeJson(raw) : raw;
  if (typeof value !== "object" || value === null || !Array.isArray((value as { states?: unknown }).states)) return undefined;
  const states = (value as { states: unknown[] }).states.filter(
    (w): w is FlowWidget =>
      typeof w === "object" && w !== null && typeof (w as FlowWidget).name === "string" && typeof (w as FlowWidget).type === "string",
  );
  return { ...(value as FlowDefinition), states };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Where a REST API Execution goes first: the `next` of the trigger widget's `incomingRequest`
 * transition. `undefined` when it leads nowhere (no trigger, no such transition, no `next`, or
 * a `next` naming no widget): every Execution would then end at once without a message.
 */
export function restTriggerTarget(definition: FlowDefinition): string | undefined {
  const trigger = definition.states.find((w) => w.type === "trigger") ?? definition.states.find((w) => w.name === definition.initial_state);
  const next = trigger?.transitions?.find((t) => t.event === REST_API_TRIGGER_EVENT)?.next;
  if (typeof next !== "string" || next === "") return undefined;
  return definition.states.some((w) => w.name === next) ? next : undefined;
}

/** The Send & Wait For Reply widgets, in the order of `states` (docs/reference.md §11 default columns). */
export function sendAndWaitWidgets(definition: FlowDefinition): string[] {
  return definition.states.filter((w) => w.type === SEND_AND_WAIT).map((w) => w.name);
}

/**
 * The widgets a REST API Execution can reach: from the trigger's `incomingRequest` target along
 * every transition's `next`. The trigger itself is not among them: its other events start the
 * flow for inbound messages and calls, not for the API.
 */
export function reachableFromRest(definition: FlowDefinition): Set<string> {
  const byName = new Map(definition.states.map((w) => [w.name, w]));
  const reached = new Set<string>();
  const queue = [restTriggerTarget(definition)].filter((n): n is string => n !== undefined);
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (reached.has(name)) continue;
    reached.add(name);
    for (const t of byName.get(name)?.transitions ?? []) if (typeof t.next === "string" && byName.has(t.next)) queue.push(t.next);
  }
  return reached;
}

/** A transition whose `next` names no widget of the flow. */
export interface DanglingTransition {
  widget: string;
  event: string;
  next: string;
}

export function danglingTransitions(definition: FlowDefinition): DanglingTransition[] {
  const names = new Set(definition.states.map((w) => w.name));
  return definition.states.flatMap((w) =>
    (w.transitions ?? []).flatMap((t) =>
      typeof t.next === "string" && t.next !== "" && !names.has(t.next) ? [{ widget: w.name, event: t.event, next: t.next }] : [],
    ),
  );
}

/**
 * Signs that a definition is not Studio's v2 flow JSON but an older export: no `initial_state`,
 * a trigger of type `InitialState`, transitions that point at widget IDs rather than names. Two
 * or more of them, and it is one (a v2 flow may lack `initial_state` alone). Empty: a v2 flow.
 */
export function legacyDefinitionSigns(definition: FlowDefinition): string[] {
  const signs: string[] = [];
  if (definition.initial_state === undefined) signs.push("no initial_state");
  const initial = definition.states.find((w) => w.type === "InitialState");
  if (initial) signs.push(`its trigger "${initial.name}" has type InitialState`);
  const ids = new Set(definition.states.map((w) => w.id).filter((id): id is string => typeof id === "string"));
  const names = new Set(definition.states.map((w) => w.name));
  const byId = definition.states
    .flatMap((w) => w.transitions ?? [])
    .filter((t) => typeof t.next === "string" && ids.has(t.next) && !names.has(t.next));
  if (byId.length > 0) signs.push("its transitions point at widget IDs");
  return signs.length >= 2 ? signs : [];
}
