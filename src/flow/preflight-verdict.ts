import { replyWidget } from "./contact-reply.js";
import { flowProblems } from "./run/check-flow.js";
import { optOutWordsAsked } from "./opt-out-asks.js";
import { findDataReferences, findInboundUses, findTriggerParameters, HANDS_ON } from "./data-references.js";
import {
  danglingTransitions,
  legacyDefinitionSigns,
  parseDefinition,
  reachableFromRest,
  REST_API_TRIGGER_EVENT,
  restTriggerTarget,
  sendAndWaitWidgets,
  type DanglingTransition,
  type FlowDefinition,
} from "./definition.js";

/** What the preflight read from Studio (docs/reference.md §10). */
export interface FlowSnapshot {
  flowSid: string;
  friendlyName: string | undefined;
  /** The latest published revision: what REST API Executions run. Undefined: never published. */
  published: RevisionSnapshot | undefined;
  /** The latest revision (`GET /v2/Flows/{Sid}`), which may be a newer draft. */
  latest: RevisionSnapshot;
}

export interface RevisionSnapshot {
  revision: number;
  status: string;
  definition: unknown;
  valid: boolean | undefined;
  errors: unknown[];
  warnings: unknown[];
}

/** The facts later commands need, recorded in the ledger (so `report` works offline). */
export interface FlowFacts {
  flowSid: string;
  revision: number;
  /** Send & Wait For Reply widgets, in the order of the definition's states (docs/reference.md §11). */
  questions: string[];
}

export interface PreflightVerdict {
  refusals: string[];
  warnings: string[];
  /** Present when the published revision could be read. */
  facts: FlowFacts | undefined;
}

/** Keys the flow reads that the campaign never sends, and not every use of which has a default: each a refusal. */
function missingKeys(references: ReturnType<typeof findDataReferences>, sentKeys: readonly string[], columns: readonly string[]): string[] {
  const sent = new Set(sentKeys);
  return [...references.keys]
    .filter(([key, use]) => !sent.has(key) && !use.alwaysDefaulted)
    .map(
      ([key, use]) =>
        `flow.data.${key} is used by widget${use.widgets.length > 1 ? "s" : ""} ${use.widgets.join(", ")} but the campaign never ` +
        `sends "${key}" (neither a parameter column nor a static parameter): contacts would see a blank there${columnHint(key, columns)}`,
    );
}

/**
 * `; did you mean the column "Provider"? …` when a column of the file is the key but for case,
 * spaces, `_` and `-` (docs/reference.md §17): a header written for people, not for Liquid.
 */
export function columnHint(key: string, columns: readonly string[]): string {
  const loose = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, "");
  const column = columns.find((c) => loose(c) === loose(key));
  if (column === undefined) return "";
  return `; did you mean the column ${JSON.stringify(column)}? Send it as ${key}: "columns": { "parameters": { ${JSON.stringify(key)}: ${JSON.stringify(column)} } }`;
}

export interface JudgeOptions {
  /** Keys sent whether or not the flow reads them (a standing campaign's `reminder`, docs/reference.md §16): never warned about. */
  quiet?: readonly string[];
  /** The contacts file's columns: a key the campaign never sends may be one of them under a looser name. */
  columns?: readonly string[];
  /** `replies.from` (docs/reference.md §19): the Context path a contact's reply is read at. */
  replyFrom?: string | undefined;
}

/**
 * `replies.from` names a widget's reply (`widgets.<name>.inbound.Body`) that the flow has no Send &
 * Wait For Reply widget of: no reply would ever be read, and a patient who answered "cancel" would
 * still be reminded. A path of another shape (`flow.variables.answer`) is the operator's to vouch for.
 */
export function replyPathProblem(from: string, askers: readonly string[]): string | undefined {
  const widget = replyWidget(from);
  if (widget === undefined || askers.includes(widget)) return undefined;
  const known = askers.length === 0 ? "it has none" : `it has ${askers.map((a) => JSON.stringify(a)).join(", ")}`;
  return (
    `replies.from reads the reply of widget ${JSON.stringify(widget)}, which is no Send & Wait For Reply widget of the flow ` +
    `(${known}): no reply would ever be read, and no reminder stopped`
  );
}

/**
 * The whole preflight decision, pure: given the flow as Studio returned it and the keys the
 * campaign sends, what refuses the campaign (exit 2, nothing sent) and what only warns.
 */
export function judgeFlow(flow: FlowSnapshot, sentKeys: readonly string[], options: JudgeOptions = {}): PreflightVerdict {
  const refusals: string[] = [];
  const warnings: string[] = [];
  const { published, latest } = flow;
  if (!published) {
    refusals.push(`flow ${flow.flowSid} has no published revision: contacts would run nothing; publish it in Studio first`);
    return { refusals, warnings, facts: undefined };
  }
  const label = `flow ${flow.flowSid} (published revision ${published.revision})`;
  if (latest.revision > published.revision) {
    warnings.push(
      `flow ${flow.flowSid} has a draft (revision ${latest.revision}) newer than the published revision ${published.revision}: ` +
        `contacts run revision ${published.revision}; only the flow's test users run the draft`,
    );
  }
  for (const [which, revision] of [
    ["published", published],
    ...(latest.revision !== published.revision ? [["draft", latest] as const] : []),
  ] as const) {
    if (revision.valid === false) warnings.push(`Twilio marks the ${which} revision ${revision.revision} as not valid`);
    for (const error of revision.errors)
      warnings.push(`Twilio reports an error on the ${which} revision ${revision.revision}: ${describeIssue(error)}`);
    for (const warning of revision.warnings)
      warnings.push(`Twilio reports a warning on the ${which} revision ${revision.revision}: ${describeIssue(warning)}`);
  }
  const definition = parseDefinition(published.definition);
  if (!definition) {
    refusals.push(`${label}: its definition cannot be read (no "states"), so nothing can be checked`);
    return { refusals, warnings, facts: undefined };
  }
  const legacy = legacyDefinitionSigns(definition);
  if (legacy.length > 0) {
    refusals.push(`${label}: not a Studio v2 flow definition (${legacy.join("; ")}): export it again from Studio and publish it`);
    return { refusals, warnings, facts: undefined };
  }
  if (restTriggerTarget(definition) === undefined) {
    refusals.push(
      `${label}: the REST API trigger (incomingRequest of the Trigger widget) leads to no widget: every Execution would end at ` +
        `once without a message; connect it in Studio and publish`,
    );
  }
  const references = findDataReferences(definition);
  refusals.push(...missingKeys(references, sentKeys, options.columns ?? []).map((text) => `${label}: ${text}`));
  for (const text of shapeWarnings(definition, references.wholeObjectBy, sentKeys)) warnings.push(`${label}: ${text}`);
  // What preview and the simulator could not render or follow (§18): a warning, Studio decides at run time.
  for (const text of flowProblems(definition)) warnings.push(`${label}: ${text}`);
  // A message asking for CANCEL (END, QUIT) as an answer: Twilio opts out whoever gives it (§19).
  for (const text of optOutWordsAsked(definition)) warnings.push(`${label}: ${text}`);
  refusals.push(...danglingOnRestPath(definition).map((text) => `${label}: ${text}`));
  const replyProblem = options.replyFrom === undefined ? undefined : replyPathProblem(options.replyFrom, sendAndWaitWidgets(definition));
  if (replyProblem) refusals.push(`${label}: ${replyProblem}`);
  if (references.wholeObjectBy.length === 0) {
    for (const key of sentKeys) {
      if (!references.keys.has(key) && !options.quiet?.includes(key))
        warnings.push(`the campaign sends "${key}" but ${label} never uses flow.data.${key}`);
    }
  }
  return { refusals, warnings, facts: { flowSid: flow.flowSid, revision: published.revision, questions: sendAndWaitWidgets(definition) } };
}

/**
 * What real exports get wrong without Studio complaining, each naming the widget and the key:
 * the wrong namespace, data that only an inbound message or call sets (on widgets a REST API
 * Execution reaches), `flow.data` handed whole to code when nothing is sent, and transitions to
 * no widget off the REST path (on it they refuse: `danglingOnRestPath`).
 */
function shapeWarnings(definition: FlowDefinition, wholeObjectBy: readonly string[], sentKeys: readonly string[]): string[] {
  const warnings: string[] = [];
  const byKey = new Map<string, string[]>();
  for (const { widget, key } of findTriggerParameters(definition)) byKey.set(key, [...(byKey.get(key) ?? []), widget]);
  for (const [key, widgets] of byKey)
    warnings.push(
      `widget${widgets.length > 1 ? "s" : ""} ${widgets.join(", ")}: \`trigger.parameters.${key}\` is never set for REST API ` +
        `Executions; did you mean \`flow.data.${key}\`?`,
    );
  const reachable = reachableFromRest(definition);
  for (const use of findInboundUses(definition)) {
    if (!reachable.has(use.widget)) continue;
    const started = use.path.startsWith("trigger.call.") ? "a call" : "a message";
    warnings.push(
      `widget ${use.widget} uses \`${use.path}\` in its ${use.property}: it is set only when ${started} started the flow, so a ` +
        `REST API Execution sees it empty (the contact is \`contact.channel.address\`, the data \`flow.data\`)`,
    );
  }
  if (sentKeys.length === 0) {
    const byName = new Map(definition.states.map((w) => [w.name, w]));
    for (const name of wholeObjectBy) {
      const handsTo = HANDS_ON[byName.get(name)?.type ?? ""];
      if (handsTo) warnings.push(`widget ${name} passes flow.data whole to ${handsTo}; this campaign sends no parameters`);
    }
  }
  for (const t of danglingTransitions(definition)) {
    if (reachable.has(t.widget) || isRestTrigger(definition, t)) continue;
    warnings.push(`widget ${t.widget}: its "${t.event}" transition leads to "${t.next}", which is no widget of the flow`);
  }
  return warnings;
}

/** Transitions to no widget on a widget a REST API Execution reaches: a contact would be stranded there. */
function danglingOnRestPath(definition: FlowDefinition): string[] {
  const reachable = reachableFromRest(definition);
  return danglingTransitions(definition)
    .filter((t) => reachable.has(t.widget))
    .map(
      (t) =>
        `widget ${t.widget}: its "${t.event}" transition leads to "${t.next}", which is no widget of the flow: a contact ` +
        `taking it would end there; fix the transition in Studio and publish`,
    );
}

/** The trigger's own REST transition (a dangling one is refused as "leads to no widget"). */
function isRestTrigger(definition: FlowDefinition, t: DanglingTransition): boolean {
  return t.event === REST_API_TRIGGER_EVENT && definition.states.find((w) => w.name === t.widget)?.type === "trigger";
}

function describeIssue(issue: unknown): string {
  if (typeof issue === "string") return issue;
  if (typeof issue === "object" && issue !== null) {
    const { message, property_path: where } = issue as { message?: unknown; property_path?: unknown };
    if (typeof message === "string") return typeof where === "string" && where !== "" ? `${message} (${where})` : message;
  }
  return JSON.stringify(issue);
}
