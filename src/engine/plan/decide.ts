import type { UnitState } from "../../ledger/fold.js";

export type ContactDecision =
  /** Final in the ledger: never sent again. */
  | { action: "done"; status: "created" | "conflict_skipped" | "failed" | "expired" | "opted_out" }
  /** Its number is on the opt-out list (docs/reference.md §12): record it opted out, never send it. */
  | { action: "opt-out" }
  /** An earlier attempt may have created an Execution: settle through List first. */
  | { action: "settle" }
  /** Its deadline (`notAfter`) has passed: record it expired, never send it. */
  | { action: "expire" }
  /** A reminder not due yet (docs/reference.md §16): nothing to do now, and no work left for this run. */
  | { action: "later" }
  | { action: "send" };

/**
 * What to do with a sendable contact, given its ledger state, whether its number is on the
 * opt-out list now, and whether its deadline has passed. Pure. A contact final in the ledger
 * stays so (an opt-out after its Execution was created changes nothing sent). An opted-out
 * contact is never sent nor settled — not even one in doubt, whose List could lead to a
 * re-send — and one recorded opted out is sent again only once its latest entry is an opt-in.
 * A contact in doubt is settled even past its deadline: an Execution created before it is
 * adopted; one that was not created then expires instead of being sent late.
 */
export function decideContact(
  state: UnitState | undefined,
  options: { retryFailed: boolean; deadlinePassed?: boolean; optedOut?: boolean; notYetDue?: boolean },
): ContactDecision {
  const late = options.deadlinePassed ?? false;
  const open = (): ContactDecision => {
    if (options.optedOut) return state?.status === "opted_out" ? { action: "done", status: "opted_out" } : { action: "opt-out" };
    if (state?.inDoubt) return { action: "settle" };
    if (late) return { action: "expire" };
    return options.notYetDue ? { action: "later" } : { action: "send" };
  };
  if (!state) return open();
  switch (state.status) {
    case "created":
    case "conflict_skipped":
    case "expired":
      return { action: "done", status: state.status };
    case "failed":
      if (!(options.retryFailed && state.transient)) return { action: "done", status: "failed" };
      return options.optedOut
        ? { action: "opt-out" }
        : late
          ? { action: "expire" }
          : options.notYetDue
            ? { action: "later" }
            : { action: "send" };
    case "opted_out":
    case "pending":
      return open();
  }
}
