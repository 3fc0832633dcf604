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

/** The Send & Wait For Reply widgets, in the order of `states` (SPEC §11 default columns). */
export function sendAndWaitWidgets(definition: FlowDefinition): string[] {
  return definition.states.filter((w) => w.type === SEND_AND_WAIT).map((w) => w.name);
}
