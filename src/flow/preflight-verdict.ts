import { findDataReferences } from "./data-references.js";
import { parseDefinition, restTriggerTarget, sendAndWaitWidgets } from "./definition.js";

/** What the preflight read from Studio (SPEC §10). */
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
  /** Send & Wait For Reply widgets, in the order of the definition's states (SPEC §11). */
  questions: string[];
}

export interface PreflightVerdict {
  refusals: string[];
  warnings: string[];
  /** Present when the published revision could be read. */
  facts: FlowFacts | undefined;
}

/**
 * The whole preflight decision, pure: given the flow as Studio returned it and the keys the
 * campaign sends, what refuses the campaign (exit 2, nothing sent) and what only warns.
 */
export function judgeFlow(flow: FlowSnapshot, sentKeys: readonly string[]): PreflightVerdict {
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
  if (restTriggerTarget(definition) === undefined) {
    refusals.push(
      `${label}: the REST API trigger (incomingRequest of the Trigger widget) leads to no widget: every Execution would end at ` +
        `once without a message; connect it in Studio and publish`,
    );
  }
  const references = findDataReferences(definition);
  const sent = new Set(sentKeys);
  for (const [key, use] of references.keys) {
    if (sent.has(key) || use.alwaysDefaulted) continue;
    refusals.push(
      `${label}: flow.data.${key} is used by widget${use.widgets.length > 1 ? "s" : ""} ${use.widgets.join(", ")} but the ` +
        `campaign never sends "${key}" (neither a parameter column nor a static parameter): contacts would see a blank there`,
    );
  }
  if (references.wholeObjectBy.length === 0) {
    for (const key of sentKeys) {
      if (!references.keys.has(key)) warnings.push(`the campaign sends "${key}" but ${label} never uses flow.data.${key}`);
    }
  }
  return { refusals, warnings, facts: { flowSid: flow.flowSid, revision: published.revision, questions: sendAndWaitWidgets(definition) } };
}

function describeIssue(issue: unknown): string {
  if (typeof issue === "string") return issue;
  if (typeof issue === "object" && issue !== null) {
    const { message, property_path: where } = issue as { message?: unknown; property_path?: unknown };
    if (typeof message === "string") return typeof where === "string" && where !== "" ? `${message} (${where})` : message;
  }
  return JSON.stringify(issue);
}
