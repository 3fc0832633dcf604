import type { UnitState } from "../../ledger/fold.js";
import { isFinalContactStatus } from "../../ledger/row-status.js";
import type { ContactDecision } from "../plan/decide.js";

/**
 * A reminder of an appointment whose same cells were first read as another time (a campaign
 * change: its zone, its date format — docs/reference.md §17): what that first reading's unit
 * decides for this one. Sent (or otherwise final) there: done, never sent again. Still in doubt
 * there: wait until that doubt is settled (this tick settles it). Never attempted there: nothing —
 * the new reading decides, so an unsent reminder follows the new time. Pure.
 */
export function rereadDecision(
  first: Pick<UnitState, "status" | "inDoubt" | "attemptOpen"> | undefined,
): ContactDecision | "wait" | undefined {
  if (first === undefined) return undefined;
  if (isFinalContactStatus(first.status)) return { action: "done", status: first.status };
  if (first.inDoubt || first.attemptOpen) return "wait";
  return undefined;
}
