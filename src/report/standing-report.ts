import { unitOf, type Contact } from "../contacts/contact.js";
import { openContactRows } from "../contacts/pipeline.js";
import { unitKey } from "../contacts/unit.js";
import { localIso } from "../contacts/zoned-time.js";
import type { FlowChecked, LedgerEvent } from "../ledger/events.js";
import {
  applyEvent,
  appointmentId,
  emptyLedgerState,
  foldExecutionEvent,
  foldUnitEvent,
  isUnitEvent,
  newUnitDetail,
  newUnitState,
  type CreatedExecution,
  type LedgerState,
  type UnitDetail,
  type UnitState,
} from "../ledger/fold.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import { resultsColumns, type ResultsColumn } from "../flow/results-columns.js";
import { blankRow, unitRow, type Report, type ReportRow } from "./build-report.js";
import type { ContactRules } from "../contacts/rules.js";
import { reminderTimes } from "../schedule/reminder-times.js";
import { isCancelled, type Schedule } from "../schedule/schedule.js";
import { cancelledByReplyMessage, stoppingIntent, type Intents } from "../flow/reply-intent.js";

/** What a standing report reads of its campaign: how its export is classified, and its schedule. */
export type StandingRules = ContactRules & {
  schedule: Schedule;
  /** `replies` (docs/reference.md §19): a reply with a `stopRemindersOn` intent cancels its appointment's reminders not sent. */
  replies?: { intents: Intents; stopRemindersOn: ReadonlySet<string> } | undefined;
};

/** The ledgers folded whole: the run's state, each unit's report detail, the Executions. */
interface Folded {
  state: LedgerState;
  units: Map<string, { state: UnitState; detail: UnitDetail }>;
  executions: Map<string, CreatedExecution>;
  flow: FlowChecked | undefined;
}

const ROWS_PER_CHUNK = 5_000;

/**
 * A standing campaign's report (docs/reference.md §16): one row per reminder of the current file, in its row
 * order (each row's reminders in the schedule's order); then, with no row number, one per reminder
 * that has an Execution for an earlier time of its appointment (or of an appointment that left the
 * file), and the cancelled ones — reminders of appointments no longer in the file that have none.
 * Its memory follows the reminders the ledger knows, not the file.
 */
export async function standingReport(
  campaign: StandingRules,
  ledgers: LedgerStore[],
  options: { results?: ResultsColumn[] | undefined },
): Promise<Report> {
  const folded = await foldLedgers(ledgers);
  const columns = resultsColumns(options.results, folded.flow?.questions);
  return { resultsColumns: columns, flow: folded.flow, reminderColumns: true, chunks: reportRows(campaign, folded, columns) };
}

async function foldLedgers(ledgers: LedgerStore[]): Promise<Folded> {
  const folded: Folded = { state: emptyLedgerState(), units: new Map(), executions: new Map(), flow: undefined };
  for (const ledger of ledgers) for await (const batch of ledger.batches()) for (const event of batch) foldEvent(folded, event);
  return folded;
}

function foldEvent(folded: Folded, event: LedgerEvent): void {
  applyEvent(folded.state, event);
  foldExecutionEvent(folded.executions, event);
  if (event.t === "flow") folded.flow = event;
  if (!isUnitEvent(event)) return;
  const key = unitKey(event);
  let unit = folded.units.get(key);
  if (!unit) folded.units.set(key, (unit = { state: newUnitState(), detail: newUnitDetail(event) }));
  foldUnitEvent(unit.state, event, unit.detail);
}

async function* reportRows(campaign: StandingRules, folded: Folded, columns: ResultsColumn[]): AsyncGenerator<ReportRow[]> {
  const listed = new Set<string>();
  const keysInFile = new Set<string>();
  let chunk: ReportRow[] = [];
  const contacts = await openContactRows(campaign);
  for await (const { verdict } of contacts.rows()) {
    if (verdict.status !== "sendable")
      chunk.push({
        ...blankRow(verdict.row, verdict.to, verdict.from, verdict.status),
        error_message: verdict.reason,
        results: columns.map(() => ""),
      });
    else {
      keysInFile.add(verdict.contact.appointment!.key);
      for (const row of fileReminders(campaign, folded, verdict.contact, columns)) {
        for (const key of row.keys) listed.add(key);
        chunk.push(row.row);
      }
    }
    if (chunk.length >= ROWS_PER_CHUNK) yield chunk.splice(0);
  }
  yield [...chunk, ...otherReminders(campaign, folded, columns, { listed, keysInFile })];
}

/** The row's reminders, each as the ledger knows it (pending when it knows nothing yet). */
function fileReminders(
  campaign: StandingRules,
  folded: Folded,
  contact: Contact,
  columns: ResultsColumn[],
): Array<{ keys: string[]; row: ReportRow }> {
  const appointment = contact.appointment!;
  const appointmentAt = new Date(appointment.at).toISOString();
  // The same cells first read as another time (docs/reference.md §17): a reminder sent for that reading is this one.
  const first = folded.state.appointments.get(appointment.key)?.latest.rereadFrom;
  return campaign.schedule.reminders.map((reminder) => {
    const { dueAt } = reminderTimes(appointment.at, reminder, campaign.schedule, appointment.zone, contact.notAfter);
    const key = unitKey(unitOf({ ...contact, reminder: { key: appointment.key, name: reminder.name, appointmentAt, dueAt } }));
    const firstKey =
      first === undefined
        ? undefined
        : unitKey({ to: contact.to, from: contact.from, key: appointment.key, reminder: reminder.name, appointmentAt: first });
    const firstUnit = firstKey === undefined ? undefined : folded.units.get(firstKey);
    const known = folded.units.get(key) ?? (firstUnit && firstUnit.state.status !== "pending" ? firstUnit : undefined);
    const stopped =
      known && known.state.status !== "pending" ? undefined : stoppedByReply(campaign, folded, { key: appointment.key, appointmentAt });
    const row = stopped
      ? { ...blankRow(contact.row, contact.to, contact.from, "cancelled"), error_message: stopped, results: columns.map(() => "") }
      : known
        ? unitRow(known.state, known.detail, folded.executions, columns)
        : { ...blankRow(contact.row, contact.to, contact.from, "pending"), results: columns.map(() => "") };
    row.row = contact.row; // its record number in this file, wherever it was first seen
    row.reminder = reminderTimeCells(appointment.key, reminder.name, { at: appointment.at, dueAt, zone: appointment.zone });
    return { keys: firstKey === undefined ? [key] : [key, firstKey], row };
  });
}

/**
 * The reminders not in the file as it is: those with an Execution (an earlier time of a moved
 * appointment, or an appointment that left), and those of appointments that left with none:
 * cancelled.
 */
function otherReminders(
  campaign: StandingRules,
  folded: Folded,
  columns: ResultsColumn[],
  file: { listed: ReadonlySet<string>; keysInFile: ReadonlySet<string> },
): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const [key, versions] of folded.state.appointments) {
    // Cancelled once a tick recorded that it left (with why); missing and not recorded: a tick
    // held it (an export that shrank past schedule.maxCancel), or none has run since.
    const missing = !file.keysInFile.has(key);
    const { left } = versions.latest;
    const gone = missing && left !== undefined;
    for (const appointmentAt of [...versions.earlier, versions.latest.appointmentAt]) {
      for (const reminder of campaign.schedule.reminders) {
        const ref = { to: versions.latest.to, from: versions.latest.from, key, reminder: reminder.name, appointmentAt };
        const unitId = unitKey(ref);
        if (file.listed.has(unitId)) continue;
        const known = folded.units.get(unitId);
        const at = Date.parse(appointmentAt);
        const dueAt = reminderTimes(at, reminder, campaign.schedule, versions.latest.zone).dueAt;
        const cells = reminderTimeCells(key, reminder.name, { at, dueAt, zone: versions.latest.zone });
        if (known?.detail.executionSid)
          rows.push({ ...unitRow(known.state, known.detail, folded.executions, columns), row: 0, reminder: cells });
        else if (isCancelled(known?.state, { gone, latestTime: appointmentAt === versions.latest.appointmentAt }))
          rows.push({
            ...blankRow(0, ref.to, ref.from, "cancelled"),
            error_message: left === "not in the export" ? "its appointment left the file: never sent" : `cancelled: ${left}`,
            reminder: cells,
            results: columns.map(() => ""),
          });
        else if (isCancelled(known?.state, { gone: missing, latestTime: appointmentAt === versions.latest.appointmentAt }))
          rows.push({
            ...blankRow(0, ref.to, ref.from, "pending"),
            error_message: "its appointment is not in the export, and not cancelled yet (the next tick decides)",
            reminder: cells,
            results: columns.map(() => ""),
          });
      }
    }
  }
  return rows;
}

/** Why a reminder not sent is cancelled by its appointment's reply (docs/reference.md §19); undefined when it is not. */
function stoppedByReply(campaign: StandingRules, folded: Folded, appointment: { key: string; appointmentAt: string }): string | undefined {
  const reply = folded.state.replies.get(appointmentId(appointment));
  const intent = stoppingIntent(reply, campaign.replies);
  return intent === undefined || !reply ? undefined : cancelledByReplyMessage(intent, reply);
}

/** A reminder's cells: its appointment and due times as people in the appointment's zone read them, with the offset (docs/reference.md §17). */
function reminderTimeCells(
  key: string,
  reminder: string,
  times: { at: number; dueAt: number; zone: string },
): NonNullable<ReportRow["reminder"]> {
  return { key, reminder, appointment_at: localIso(times.at, times.zone), due_at: localIso(times.dueAt, times.zone) };
}
