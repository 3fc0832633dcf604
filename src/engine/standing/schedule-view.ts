import type { PlannedRow } from "../plan/planned-row.js";
import type { SendWindow } from "../../campaign/campaign.js";
import { opensBetween, windowZones } from "../plan/send-window.js";
import type { RowAction } from "../plan/row-action.js";

const DAY = 86_400_000;
/** Rows shown for each part of the schedule. */
const FIRST_ROWS = 5;

/** Where a standing campaign's reminders stand now (docs/reference.md §16: what `validate` and `--dry-run` show). */
export interface ScheduleView {
  /** Due now: a run now sends them, settles them first, or holds them (window, cap, limit). */
  dueNow: Part;
  /** Not due yet, due within the next 24 hours. */
  next24h: Part;
  /** Due later than that. */
  later: Part;
  /** Never sendable: due at or after their deadline, or their window never opens before it. */
  never: Part;
  /** Reminders of appointments that left the file, with no Execution. */
  cancelled: number;
}

interface Part {
  count: number;
  /** The first rows, in file order; `more`: other rows have some too. */
  rows: number[];
  more: boolean;
}

const part = (): Part => ({ count: 0, rows: [], more: false });

export function emptyScheduleView(): ScheduleView {
  return { dueNow: part(), next24h: part(), later: part(), never: part(), cancelled: 0 };
}

/** Count one planned reminder's action into the view (pure but for the window's zone arithmetic). */
export function noteReminder(
  view: ScheduleView,
  planned: PlannedRow,
  action: RowAction,
  now: number,
  window: SendWindow | undefined,
): void {
  if (action.kind === "cancelled") return void view.cancelled++;
  const reminder = reminderOf(planned);
  if (!reminder) return;
  if (action.kind !== "later" && action.kind !== "send" && action.kind !== "hold" && action.kind !== "settle") return;
  if (neverSendable(reminder, now, window)) add(view.never, reminder.row);
  if (action.kind === "later") add(reminder.dueAt - now < DAY ? view.next24h : view.later, reminder.row);
  else add(view.dueNow, reminder.row);
}

type ReminderFacts = { row: number; dueAt: number; deadline: number; zones: readonly string[] | undefined };

function reminderOf(planned: PlannedRow): ReminderFacts | undefined {
  if (planned.kind === "later") return planned;
  if (planned.kind !== "contact" || planned.contact.retired) return undefined;
  const { contact } = planned;
  const dueAt = contact.reminder?.dueAt;
  return dueAt === undefined ? undefined : { row: contact.row, dueAt, deadline: contact.notAfter ?? Infinity, zones: contact.zones };
}

function neverSendable(reminder: ReminderFacts, now: number, window: SendWindow | undefined): boolean {
  if (reminder.dueAt >= reminder.deadline) return true;
  if (!window || !Number.isFinite(reminder.deadline)) return false;
  return !opensBetween(window, Math.max(now, reminder.dueAt), reminder.deadline, windowZones(window, reminder.zones));
}

function add(target: Part, row: number): void {
  target.count++;
  if (target.rows.includes(row)) return;
  if (target.rows.length < FIRST_ROWS) target.rows.push(row);
  else target.more = true;
}
