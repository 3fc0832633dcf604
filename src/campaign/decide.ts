import type { ContactState } from "../ledger/contact-state.js";

export type ContactDecision =
  /** Final in the ledger: never sent again. */
  | { action: "done"; status: "created" | "conflict_skipped" | "failed" }
  /** An earlier attempt may have created an Execution: settle through List first. */
  | { action: "settle" }
  | { action: "send" };

/** What to do with a sendable contact, given its ledger state. Pure. */
export function decideContact(state: ContactState | undefined, options: { retryFailed: boolean }): ContactDecision {
  if (!state) return { action: "send" };
  switch (state.status) {
    case "created":
    case "conflict_skipped":
      return { action: "done", status: state.status };
    case "failed":
      return options.retryFailed && state.transient ? { action: "send" } : { action: "done", status: "failed" };
    case "pending":
      return state.inDoubt ? { action: "settle" } : { action: "send" };
  }
}
