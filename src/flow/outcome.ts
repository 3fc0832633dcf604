import { valueAtPath } from "./results-columns.js";

/**
 * What happened to a contact (docs/reference.md §12), in the order the first that applies wins. Derived from
 * the Execution's Steps (the events that moved the flow), never from widget names or the text of
 * the flow's own messages; the contact's reply text decides only whether it was an opt-out.
 */
export const OUTCOMES = ["opted_out", "undelivered", "answered", "partial", "no_reply", "sent", "unknown"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** An Execution Step as `GET …/Executions/{Sid}/Steps` returns it (the fields read here). */
export interface StepEvent {
  /** The event that moved the flow: `incomingRequest`, `incomingMessage`, `timeout`, `deliveryFailure`, `sent`, `failed`… */
  name: string;
  transitioned_from: string;
  transitioned_to: string;
  date_created?: string | null;
}

/**
 * Twilio's default opt-out keywords: the whole body, trimmed, in any case
 * (https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out; REVOKE and OPTOUT since
 * 2025-05-14). "STOP please" is none of them: for Twilio, and here, it is an answer.
 */
export const OPT_OUT_KEYWORDS: ReadonlySet<string> = new Set([
  "STOP",
  "STOPALL",
  "UNSUBSCRIBE",
  "CANCEL",
  "END",
  "QUIT",
  "REVOKE",
  "OPTOUT",
]);
export const OPT_IN_KEYWORDS: ReadonlySet<string> = new Set(["START", "UNSTOP"]);

/** An opt-out or opt-in a contact sent, by keyword (or Advanced Opt-Out's `OptOutType`), or a 21610 refusal. */
export interface OptChange {
  change: "opt_out" | "opt_in";
  /** The keyword as Twilio knows it (`STOP`, `START`…), or `21610`. */
  reason: string;
  widget: string;
}

/**
 * Is this reply (`widgets.<name>.inbound`) an opt-out or an opt-in? `OptOutType` is set by a
 * Messaging Service with Advanced Opt-Out (its custom keywords included); otherwise the body
 * decides, by Twilio's default keywords.
 */
export function replyOptChange(inbound: unknown): { change: "opt_out" | "opt_in"; reason: string } | undefined {
  if (typeof inbound !== "object" || inbound === null) return undefined;
  const { Body, OptOutType } = inbound as { Body?: unknown; OptOutType?: unknown };
  const type = typeof OptOutType === "string" ? OptOutType.trim().toUpperCase() : "";
  const word = typeof Body === "string" ? Body.trim().toUpperCase() : "";
  if (type === "STOP") return { change: "opt_out", reason: OPT_OUT_KEYWORDS.has(word) ? word : "STOP" };
  if (type === "START") return { change: "opt_in", reason: OPT_IN_KEYWORDS.has(word) ? word : "START" };
  if (OPT_OUT_KEYWORDS.has(word)) return { change: "opt_out", reason: word };
  if (OPT_IN_KEYWORDS.has(word)) return { change: "opt_in", reason: word };
  return undefined;
}

/** Twilio's error code of the opted-out recipient (a message refused: the number replied STOP to that sender). */
export const OPTED_OUT_ERROR = 21610;

/** A message of the flow that failed, and where its Message SID is (to fetch its error code). */
export interface FailedMessage {
  widget: string;
  /** `widgets.<widget>.outbound.Sid` in the Context; undefined when the flow never got one. */
  messageSid: string | undefined;
}

/** What the Steps and the Context say, before any Message is fetched. */
export interface ExecutionFacts {
  /** The Steps oldest first. */
  steps: StepEvent[];
  /** Opt-outs and opt-ins the contact sent, in order. */
  optChanges: OptChange[];
  /** The first message of the flow that failed (`deliveryFailure`, `failed`). */
  failed: FailedMessage | undefined;
  /** Widgets whose reply was an opt-out or opt-in: their results cells stay empty. */
  keywordWidgets: Set<string>;
  /** When the contact first answered (its first reply that is no keyword), as the Step's date says. */
  firstAnswerAt: string | undefined;
}

const QUESTION_EVENTS = new Set(["incomingMessage", "timeout"]);
const FAILURE_EVENTS = new Set(["deliveryFailure", "failed"]);

/** Steps come newest first; a Step's `date_created` has one-second precision, so equal times keep the API's order reversed. */
export function oldestFirst(steps: readonly StepEvent[]): StepEvent[] {
  return steps
    .map((step, i) => ({ step, i, at: Date.parse(step.date_created ?? "") }))
    .sort((a, b) => (Number.isNaN(a.at) || Number.isNaN(b.at) || a.at === b.at ? b.i - a.i : a.at - b.at))
    .map(({ step }) => step);
}

/** Pure: read the facts of one ended Execution from its Steps (newest first, as listed) and its Context's `context`. */
export function executionFacts(stepsNewestFirst: readonly StepEvent[], context: unknown): ExecutionFacts {
  const steps = oldestFirst(stepsNewestFirst);
  const optChanges: OptChange[] = [];
  const keywordWidgets = new Set<string>();
  let failed: FailedMessage | undefined;
  let firstAnswerAt: string | undefined;
  for (const step of steps) {
    const widget = step.transitioned_from;
    if (step.name === "incomingMessage") {
      const change = replyOptChange(valueAtPath(context, `widgets.${widget}.inbound`));
      if (change) {
        optChanges.push({ ...change, widget });
        keywordWidgets.add(widget);
      } else firstAnswerAt ??= step.date_created ?? undefined;
    } else if (FAILURE_EVENTS.has(step.name) && failed === undefined) {
      const sid = valueAtPath(context, `widgets.${widget}.outbound.Sid`);
      failed = { widget, messageSid: typeof sid === "string" && sid !== "" ? sid : undefined };
    }
  }
  return { steps, optChanges, failed, keywordWidgets, firstAnswerAt };
}

export interface OutcomeDecision {
  outcome: Outcome;
  /** The widget whose event decided it; empty for `unknown`. */
  widget: string;
  /** For `undelivered` and a 21610 `opted_out`: the failed message's Twilio error code, when known. */
  errorCode: number | undefined;
}

/**
 * Pure (docs/reference.md §12): the contact's outcome from the facts, and the failed message's error code when
 * it was fetched. Opt-out replies are not answers: a question answered STOP counts as opted out,
 * never as answered.
 */
export function decideOutcome(facts: ExecutionFacts, failedErrorCode?: number): OutcomeDecision {
  const optOut = facts.optChanges.find((c) => c.change === "opt_out");
  if (optOut) return { outcome: "opted_out", widget: optOut.widget, errorCode: undefined };
  if (facts.failed) {
    const outcome = failedErrorCode === OPTED_OUT_ERROR ? "opted_out" : "undelivered";
    return { outcome, widget: facts.failed.widget, errorCode: failedErrorCode };
  }
  // The trigger's own step (`incomingRequest`…) is no question: only widgets that waited for a reply are.
  const questions = facts.steps.filter((s) => QUESTION_EVENTS.has(s.name) && !facts.keywordWidgets.has(s.transitioned_from));
  const answered = questions.filter((s) => s.name === "incomingMessage");
  const firstSilence = questions.find((s) => s.name === "timeout");
  if (questions.length > 0) {
    if (firstSilence === undefined) return { outcome: "answered", widget: answered.at(-1)!.transitioned_from, errorCode: undefined };
    const outcome = answered.length > 0 ? "partial" : "no_reply";
    return { outcome, widget: firstSilence.transitioned_from, errorCode: undefined };
  }
  const sent = facts.steps.filter((s) => s.name === "sent").at(-1);
  if (sent) return { outcome: "sent", widget: sent.transitioned_from, errorCode: undefined };
  return { outcome: "unknown", widget: "", errorCode: undefined };
}

/** What the common error codes mean, in plain words (docs/reference.md §12; Twilio's error dictionary). */
export const ERROR_MEANINGS: Readonly<Record<number, string>> = {
  21610: "opted out (replied STOP to this sender)",
  21614: "not a mobile number",
  30003: "unreachable handset",
  30005: "unknown or inactive number",
  30006: "landline or unreachable carrier",
  30007: "filtered by the carrier",
  30008: "unknown error",
  30023: "daily 10DLC cap reached",
  30610: "quiet hours",
};

export function errorMeaning(code: number | undefined): string {
  if (code === undefined) return "no error code";
  return ERROR_MEANINGS[code] ?? `see https://www.twilio.com/docs/api/errors/${code}`;
}

/** Outcome counts with their shares, and undelivered messages by error code (docs/reference.md §12's summary). */
export interface OutcomeSummary {
  /** Executions whose outcome is recorded. */
  total: number;
  counts: Array<{ outcome: Outcome; count: number; share: number }>;
  /** Undelivered messages (and 21610 refusals) by error code, most first; `code` null when the message had none. */
  errors: Array<{ code: number | null; meaning: string; count: number }>;
}

/** Pure: the summary of recorded outcomes. */
export function summarizeOutcomes(recorded: Iterable<{ outcome: Outcome; errorCode: number | null }>): OutcomeSummary {
  const counts = new Map<Outcome, number>(OUTCOMES.map((o) => [o, 0]));
  const errors = new Map<number | null, number>();
  let total = 0;
  for (const { outcome, errorCode } of recorded) {
    total++;
    counts.set(outcome, counts.get(outcome)! + 1);
    if (outcome === "undelivered" || (outcome === "opted_out" && errorCode !== null))
      errors.set(errorCode, (errors.get(errorCode) ?? 0) + 1);
  }
  return {
    total,
    counts: OUTCOMES.map((outcome) => ({ outcome, count: counts.get(outcome)!, share: total > 0 ? counts.get(outcome)! / total : 0 })),
    errors: [...errors]
      .map(([code, count]) => ({ code, meaning: errorMeaning(code ?? undefined), count }))
      .sort((a, b) => b.count - a.count || (a.code ?? 0) - (b.code ?? 0)),
  };
}
