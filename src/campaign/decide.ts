import type { ContactState } from "../ledger/contact-state.js";

export type ContactDecision =
  /** Final in the ledger: never sent again. */
  | { action: "done"; status: "created" | "conflict_skipped" | "failed" | "expired" }
  /** An earlier attempt may have created an Execution: settle through List first. */
  | { action: "settle" }
  /** Its deadline (`notAfter`) has passed: record it expired, never send it. */
  | { action: "expire" }
  | { action: "send" };

/**
 * What to do with a sendable contact, given its ledger state and whether its deadline has
 * passed. Pure. A contact in doubt is settled even past its deadline: an Execution created
 * before it is adopted; one that was not created then expires instead of being sent late.
 */
export function decideContact(
  state: ContactState | undefined,
  options: { retryFailed: boolean; deadlinePassed?: boolean },
): ContactDecision {
  const late = options.deadlinePassed ?? false;
  if (!state) return late ? { action: "expire" } : { action: "send" };
  switch (state.status) {
    case "created":
    case "conflict_skipped":
    case "expired":
      return { action: "done", status: state.status };
    case "failed":
      if (!(options.retryFailed && state.transient)) return { action: "done", status: "failed" };
      return late ? { action: "expire" } : { action: "send" };
    case "pending":
      if (state.inDoubt) return { action: "settle" };
      return late ? { action: "expire" } : { action: "send" };
  }
}
