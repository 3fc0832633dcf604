import { unitKey, type UnitRef } from "../contacts/unit.js";
import { AppointmentBook } from "./appointment-book.js";
import type { CampaignHeader, FlowChecked, LedgerEvent, ResultsRecorded } from "./events.js";
import type { ContactReply } from "../flow/contact-reply.js";

/**
 * The one fold of the ledger: event → state, in one place. The run, the checkpoint,
 * `validate` and `--dry-run` fold units into `UnitState` (kept small: a run may hold a million);
 * the report folds the same events through the same function with a `UnitDetail` beside it (what
 * the report's columns show); `results`, `status`, `end`, follow-ups and the report read the
 * Executions a campaign created through `foldExecutionEvent`. A status means the same thing
 * everywhere because it is decided here once.
 */

/** `opted_out`: on the opt-out list when its turn came (docs/reference.md §12); sent again only after an opt-in. */
export type UnitStatus = "pending" | "created" | "conflict_skipped" | "failed" | "expired" | "opted_out";

/** What the run needs to decide about one unit. Kept small: a run may hold a million. */
export interface UnitState {
  status: UnitStatus;
  attempts: number;
  /** An attempt may have created an Execution: settle it through List before any re-send. */
  inDoubt: boolean;
  /**
   * Start of this unit's first attempt whose outcome was unknown (ms since epoch). Kept after
   * the doubt is settled: a later 409 naming an Execution created since then is our own.
   */
  firstDoubtAt: number | undefined;
  /** For `failed`: whether the failure was transient (re-attempted by `--retry-failed`). */
  transient: boolean;
  /** Start of the latest attempt, and whether it still awaits its outcome. */
  lastAttemptAt: number;
  attemptOpen: boolean;
}

/** What the report shows of a unit beyond its state (docs/reference.md §6). */
export interface UnitDetail {
  row: number;
  to: string;
  from: string;
  /** A reminder's unit (a standing campaign's, or a follow-up's of one): which reminder it is. */
  reminder: SourceReminder | undefined;
  executionSid: string;
  httpStatus: number | null;
  errorCode: number | null;
  errorMessage: string;
  conflictingSid: string;
  conflictAction: "" | "skipped" | "ended" | "adopted";
  firstAttemptAt: string;
  lastEventAt: string;
}

/** The events about one unit (all but the campaign's, the flow's, an appointment's, a skipped row's and an Execution's). */
export type UnitEvent = Exclude<LedgerEvent, { t: "campaign" | "flow" | "appointment" | "row" | "exec" | "results" | "reply" | "handed" }>;

export interface LedgerState {
  header: CampaignHeader | undefined;
  /** The latest flow preflight recorded. */
  flow: FlowChecked | undefined;
  /** Every unit the ledger knows, by `unitKey`. */
  units: Map<string, UnitState>;
  /** Rows already recorded as invalid, duplicate or suppressed. */
  skippedRows: Set<number>;
  /** A standing campaign's appointments, by key. */
  appointments: AppointmentBook;
  /** The latest reply to each appointment's reminders (docs/reference.md §19), by `appointmentId`. */
  replies: Map<string, ContactReply>;
}

export function emptyLedgerState(): LedgerState {
  return {
    header: undefined,
    flow: undefined,
    units: new Map(),
    skippedRows: new Set(),
    appointments: new AppointmentBook(),
    replies: new Map(),
  };
}

export function newUnitState(): UnitState {
  return {
    status: "pending",
    attempts: 0,
    inDoubt: false,
    firstDoubtAt: undefined,
    transient: false,
    lastAttemptAt: 0,
    attemptOpen: false,
  };
}

/** A reminder as another campaign refers to it: its appointment's key, its name, the appointment time. */
export interface SourceReminder {
  key: string;
  name: string;
  appointmentAt: string;
}

/** The reminder a ledger line's unit is (undefined for a survey's contact). */
export function sourceReminder(unit: { [K in "key" | "reminder" | "appointmentAt"]?: UnitRef[K] }): SourceReminder | undefined {
  return unit.key === undefined ? undefined : { key: unit.key, name: unit.reminder ?? "", appointmentAt: unit.appointmentAt ?? "" };
}

export function newUnitDetail(event: Pick<UnitEvent, "row" | "to" | "from" | "key" | "reminder" | "appointmentAt">): UnitDetail {
  return {
    row: event.row,
    to: event.to,
    from: event.from,
    reminder: sourceReminder(event),
    executionSid: "",
    httpStatus: null,
    errorCode: null,
    errorMessage: "",
    conflictingSid: "",
    conflictAction: "",
    firstAttemptAt: "",
    lastEventAt: "",
  };
}

/** Is this event about a unit (rather than the campaign, the flow, an appointment, a skipped row or an Execution)? */
export function isUnitEvent(event: LedgerEvent): event is UnitEvent {
  return !NOT_UNIT_EVENTS.has(event.t);
}

const NOT_UNIT_EVENTS: ReadonlySet<LedgerEvent["t"]> = new Set([
  "campaign",
  "flow",
  "appointment",
  "row",
  "exec",
  "results",
  "reply",
  "handed",
]);

/** Fold one event into the run's state. The run applies its own events through this too. */
export function applyEvent(state: LedgerState, event: LedgerEvent): void {
  if (isUnitEvent(event)) {
    const key = unitKey(event);
    let unit = state.units.get(key);
    if (!unit) state.units.set(key, (unit = newUnitState()));
    foldUnitEvent(unit, event);
    return;
  }
  switch (event.t) {
    case "campaign":
      state.header ??= event;
      return;
    case "row":
      state.skippedRows.add(event.row);
      return;
    case "flow":
      state.flow = event;
      return;
    case "appointment":
      state.appointments.fold(event);
      return;
    case "reply":
      if (event.key !== undefined && event.appointmentAt !== undefined)
        foldReply(state.replies, appointmentId({ key: event.key, appointmentAt: event.appointmentAt }), event.reply);
      return;
  }
}

/** An appointment (key × time) as the replies to its reminders are kept. */
export function appointmentId(appointment: { key: string; appointmentAt: string }): string {
  return `${appointment.key}\u0000${appointment.appointmentAt}`;
}

/** The latest reply wins (by when the contact sent it). */
export function foldReply(replies: Map<string, ContactReply>, id: string, reply: ContactReply | null): void {
  const known = replies.get(id);
  if (reply && (known === undefined || Date.parse(reply.repliedAt) >= Date.parse(known.repliedAt))) replies.set(id, reply);
}

/** One unit event into its state, and into its report detail when one is kept. The only place a unit's status changes. */
export function foldUnitEvent(unit: UnitState, event: UnitEvent, detail?: UnitDetail): void {
  if (detail) {
    detail.row = event.row;
    detail.lastEventAt = event.at;
  }
  switch (event.t) {
    case "attempt":
      unit.attempts = Math.max(unit.attempts, event.n);
      unit.lastAttemptAt = Date.parse(event.at);
      unit.attemptOpen = true;
      if (detail) detail.firstAttemptAt ||= event.at;
      return;
    case "in_doubt":
      markInDoubt(unit);
      if (detail) detail.errorMessage = `outcome unknown: ${event.message}`;
      return;
    case "created":
    case "adopted":
      Object.assign(unit, { status: "created", inDoubt: false, attemptOpen: false });
      if (detail) Object.assign(detail, { executionSid: event.sid, errorCode: null, errorMessage: "" });
      if (detail && event.t === "created") detail.httpStatus = event.http;
      if (detail && event.t === "adopted" && event.via === "conflict") detail.conflictAction = "adopted";
      return;
    case "conflict":
      unit.attemptOpen = false;
      if (event.action === "skipped") unit.status = "conflict_skipped";
      if (detail) {
        Object.assign(detail, { httpStatus: 409, errorCode: event.code, conflictingSid: event.sid });
        // The report's conflict_action is skipped, ended or adopted (docs/reference.md §6); a reminder waiting on a busy number shows none.
        if (event.action === "waiting") detail.errorMessage = `waiting: the number is busy with Execution ${event.sid}`;
        else detail.conflictAction = event.action;
      }
      return;
    case "failed":
      unit.attemptOpen = false;
      if (event.final) Object.assign(unit, { status: "failed", transient: event.transient });
      if (detail) Object.assign(detail, { httpStatus: event.http, errorCode: event.code, errorMessage: event.message });
      return;
    case "expired":
      unit.status = "expired";
      if (detail) detail.errorMessage = `its deadline (${event.deadline}) passed before it was sent: never sent`;
      return;
    case "opted_out":
      unit.status = "opted_out";
      if (detail) detail.errorMessage = "on the opt-out list: never sent";
      return;
    case "withdrawn":
      unit.attemptOpen = false;
      return;
    case "cleared":
      unit.inDoubt = false;
      return;
  }
}

function markInDoubt(unit: UnitState): void {
  unit.attemptOpen = false;
  unit.inDoubt = true;
  unit.firstDoubtAt ??= unit.lastAttemptAt;
}

/** After the fold: an attempt left without outcome (a crash) is in doubt since it started. */
export function finishFold(state: Pick<LedgerState, "units">): void {
  for (const unit of state.units.values()) if (unit.attemptOpen) markInDoubt(unit);
}

/** An Execution this campaign created (or adopted), as its ledger knows it. */
export interface CreatedExecution {
  sid: string;
  /** The unit it was created for (the ledger's `to` and `from`) and its CSV row: for the opt-out list and follow-ups. */
  to: string;
  from?: string;
  row?: number;
  /** A standing campaign's reminder it was created for (a follow-up of it keys by this, docs/reference.md §16). */
  reminder?: SourceReminder | undefined;
  /** When this campaign created (or adopted) it, ms. */
  at: number;
  /** Latest known state, from `status`, `end` or `results`. */
  status: "active" | "ended" | undefined;
  /** What `results` recorded of its Context (values by path, merged), if anything. */
  results?: Pick<ResultsRecorded, "values" | "final" | "gone" | "outcome"> | undefined;
  /** The contact's reply `results` recorded (docs/reference.md §19); `null`: a late one was looked for, and none found. */
  reply?: ContactReply | null | undefined;
}

/**
 * The Executions view: an event into the campaign's Executions, by SID — created or adopted, a
 * state learned (`exec`), results recorded. Other events leave it as it is. An Execution's later
 * events follow its creation in the same ledger.
 */
export function foldExecutionEvent(executions: Map<string, CreatedExecution>, event: LedgerEvent): void {
  if (event.t === "created" || event.t === "adopted") {
    const known = executions.get(event.sid);
    executions.set(event.sid, {
      sid: event.sid,
      to: event.to,
      from: event.from,
      row: event.row,
      reminder: sourceReminder(event),
      at: Date.parse(event.at),
      status: known?.status,
      results: known?.results,
      reply: known?.reply,
    });
    return;
  }
  if (event.t !== "exec" && event.t !== "results" && event.t !== "reply") return;
  const known = executions.get(event.sid);
  if (!known) return;
  if (event.t === "exec") known.status = event.status;
  else if (event.t === "reply") known.reply = event.reply ?? known.reply ?? null;
  else known.results = mergeResults(known.results, event);
}

/** A later read of the same Execution adds to (and replaces) what an earlier one recorded. */
export function mergeResults(
  known: CreatedExecution["results"],
  event: Pick<ResultsRecorded, "values" | "final" | "gone" | "outcome">,
): NonNullable<CreatedExecution["results"]> {
  const outcome = event.outcome ?? known?.outcome;
  return {
    values: { ...known?.values, ...event.values },
    final: event.final || (known?.final ?? false),
    ...(event.gone || known?.gone ? { gone: true as const } : {}),
    ...(outcome ? { outcome } : {}),
  };
}
