import type { Contact, RowVerdict } from "../../contacts/contact.js";
import type { SendWindow } from "../../campaign/campaign.js";
import type { PlannedRow } from "./planned-row.js";
import type { LaterCount } from "./later-count.js";
import type { RowStatus } from "../../ledger/row-status.js";
import { isInsideWindow, windowZones } from "./send-window.js";

/** What the run does with one planned row. */
export type RowAction =
  /** Final already (in the ledger, or a skipped row recorded before): only counted. */
  | { kind: "count"; status: RowStatus }
  /** An invalid, duplicate or suppressed row seen for the first time: record it. */
  | { kind: "record-skip"; verdict: Exclude<RowVerdict, { status: "sendable" }> }
  /** On the opt-out list: record it opted out, never send it. */
  | { kind: "opt-out"; contact: Contact }
  /** Past its `notAfter`: record it expired, never send it. */
  | { kind: "expire"; contact: Contact }
  /** In doubt from an earlier attempt: settle through List before anything is sent. */
  | { kind: "settle"; contact: Contact; key: string }
  /**
   * A reminder not due yet (docs/reference.md §16): not work left for this run; `dueAt` tells when it will be,
   * `wakeAt` when a run first has something to do about it (due, or its deadline if that comes first).
   */
  | { kind: "later"; dueAt: number; wakeAt: number }
  /** Many of them, counted together. */
  | { kind: "laters"; count: LaterCount }
  /** A reminder whose appointment left the file, without an Execution: counted `cancelled`. */
  | { kind: "cancelled" }
  /** Left pending for a later run: the run is stopping, the window is closed for it, or `--limit` is reached. */
  | { kind: "hold"; reason: "stopping" | "window" | "limit" | "cap"; zones?: readonly string[] }
  /** A reminder whose appointment a shrunken export lost: held, neither sent nor cancelled (`message` says why). */
  | { kind: "withhold"; message: string }
  | { kind: "send"; contact: Contact };

export interface RowSituation {
  stopping: boolean;
  now: number;
  window: SendWindow | undefined;
  /** New contacts started so far in this run, and `--limit`. */
  started: number;
  limit: number | undefined;
  /** The daily cap was reached in this run: no more creates today. */
  capped?: boolean;
}

/**
 * The whole per-row decision of a run, pure (table-tested): given the row as planned against
 * the ledger and the run's situation, what to do. The run loop only performs it.
 */
export function decideRow(planned: PlannedRow, situation: RowSituation): RowAction {
  if (planned.kind === "cancelled") return { kind: "cancelled" };
  if (planned.kind === "withheld") return { kind: "withhold", message: planned.message };
  if (planned.kind === "laters") return planned;
  if (planned.kind === "later") return { kind: "later", dueAt: planned.dueAt, wakeAt: Math.min(planned.dueAt, planned.deadline) };
  if (planned.kind === "skipped")
    return planned.alreadyRecorded ? { kind: "count", status: planned.verdict.status } : { kind: "record-skip", verdict: planned.verdict };
  const { decision, contact } = planned;
  if (decision.action === "done") return { kind: "count", status: decision.status };
  if (decision.action === "opt-out") return { kind: "opt-out", contact };
  if (situation.stopping) return { kind: "hold", reason: "stopping" };
  if (decision.action === "settle") return { kind: "settle", contact, key: planned.key };
  if (decision.action === "expire") return { kind: "expire", contact };
  if (decision.action === "later") {
    const dueAt = contact.reminder?.dueAt ?? situation.now;
    return { kind: "later", dueAt, wakeAt: Math.min(dueAt, contact.notAfter ?? Infinity) };
  }
  if (situation.window) {
    const zones = windowZones(situation.window, contact.zones);
    if (!isInsideWindow(situation.window, situation.now, zones)) return { kind: "hold", reason: "window", zones };
  }
  if (situation.limit !== undefined && situation.started >= situation.limit) return { kind: "hold", reason: "limit" };
  if (situation.capped) return { kind: "hold", reason: "cap" };
  return { kind: "send", contact };
}

/** The status a row is final in once its action is performed; undefined: it stays open (sent, settled or held). */
export function finalStatusOf(action: RowAction): RowStatus | undefined {
  switch (action.kind) {
    case "count":
      return action.status;
    case "record-skip":
      return action.verdict.status;
    case "expire":
      return "expired";
    case "opt-out":
      return "opted_out";
    case "cancelled":
      return "cancelled";
    default:
      return undefined;
  }
}
