import type { Outcome } from "../../flow/outcome.js";
import type { FollowUpRule } from "../../campaign/campaign.js";
import type { SourceReminder } from "../../ledger/fold.js";

/** A contact the source campaign created, as its ledger knows it. */
export interface SourceContact {
  row: number;
  to: string;
  /** When its Execution was created (ms). */
  createdAt: number;
  status: "active" | "ended" | undefined;
  /** Recorded by `results` once the Execution had ended; undefined: not collected yet. */
  outcome: Outcome | undefined;
  /** A standing source's reminder (docs/reference.md §16): the follow-up's unit is it, not the number. */
  reminder?: SourceReminder | undefined;
}

/** Why a source contact is, or is not yet, a follow-up's contact. */
export type FollowUpVerdict =
  | "qualifies"
  /** Its outcome is one of the rule's, but `after` has not passed since its Execution was created. */
  | "waiting-after"
  /** Its source Execution is still active (or its state was never read): never sent while the survey runs. */
  | "waiting-active"
  /** Ended, but `results` has not recorded its outcome yet. */
  | "waiting-outcome"
  | "other-outcome"
  /** Nothing says the contact got anything: never followed up. */
  | "unknown-outcome"
  /** On the opt-out list. */
  | "opted-out";

/** Pure (docs/reference.md §13, table-tested): is this source contact a follow-up's contact at `now`? */
export function decideFollowUp(
  contact: SourceContact,
  rule: Pick<FollowUpRule, "outcomes" | "afterMs">,
  now: number,
  optedOut: boolean,
): FollowUpVerdict {
  if (optedOut) return "opted-out";
  if (contact.outcome === "unknown") return "unknown-outcome";
  if (contact.status !== "ended") return "waiting-active";
  if (contact.outcome === undefined) return "waiting-outcome";
  if (!rule.outcomes.has(contact.outcome)) return "other-outcome";
  if (now < contact.createdAt + rule.afterMs) return "waiting-after";
  return "qualifies";
}
