import type { ConflictPolicy } from "../../campaign/campaign.js";

/** Bounds the end-and-retry loop: a contact whose Execution keeps reappearing is failed. */
export const MAX_CONFLICT_ENDS = 3;

/** What is known when a create was answered 409 (docs/reference.md §1, §5). */
export interface ConflictFacts {
  policy: ConflictPolicy;
  /** The active Execution Twilio named, if it named one. */
  sid: string | undefined;
  /**
   * Whether that Execution is ours (created since this contact's first in-doubt attempt, on our
   * flow): asked only for a contact that was in doubt; `unknown` when the fetch failed.
   */
  ours: "yes" | "no" | "unknown" | "not-asked";
  /** Executions this contact's sender has ended so far. */
  endsSoFar: number;
}

/** What to do with a 409. */
export type ConflictDecision =
  /** Our own earlier attempt created it: record it as created. */
  | { kind: "adopt" }
  /** Leave the contact in the Execution it is in. */
  | { kind: "skip" }
  /** A standing campaign's reminder (docs/reference.md §16, onConflict wait): pending, tried again by a later run until its deadline. */
  | { kind: "wait" }
  /** End that Execution, then create again. */
  | { kind: "end-and-retry" }
  /** Execution after Execution reappears: final failure. */
  | { kind: "fail"; message: string }
  /** Cannot tell whether it is ours: neither skip nor end; the next run asks again. */
  | { kind: "pending" };

/** Pure: the 409 policy, one row per case (table-tested). */
export function decideConflict(facts: ConflictFacts): ConflictDecision {
  if (facts.ours === "unknown") return { kind: "pending" };
  if (facts.ours === "yes") return { kind: "adopt" };
  if (facts.policy === "wait") return { kind: "wait" };
  if (facts.policy === "skip" || facts.sid === undefined) return { kind: "skip" };
  if (facts.endsSoFar >= MAX_CONFLICT_ENDS)
    return { kind: "fail", message: `an Execution was still active after ${MAX_CONFLICT_ENDS} ends (last ${facts.sid})` };
  return { kind: "end-and-retry" };
}

/** How asking Studio to end the conflicting Execution went. */
export type EndOutcome =
  | "ended"
  /** 409: it had ended already. */
  | "already-ended"
  /** 404: not on this campaign's flow, so not ours to end. */
  | "not-found"
  | "auth-failure"
  /** Anything else (5xx, no answer). */
  | "error";

/** Pure: after the end request, what the contact's sender does next. */
export function decideAfterEnd(outcome: EndOutcome): "retry" | "skip" | "stop-auth" | "pending" {
  switch (outcome) {
    case "ended":
    case "already-ended":
      return "retry";
    case "not-found":
      return "skip";
    case "auth-failure":
      return "stop-auth";
    case "error":
      return "pending";
  }
}
