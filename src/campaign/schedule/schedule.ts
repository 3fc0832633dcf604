/**
 * A standing campaign's schedule (docs/reference.md §16): reminders due relative to each row's appointment
 * time, sent by whichever cron run comes first at or after their due time and before their
 * deadline. The rules are pure functions of (row, reminder, now, zone): `reminder-times.ts`.
 */
export interface Schedule {
  /** The column with the appointment's id: a reminder is this key × the reminder's name. */
  keyColumn: string;
  /** The column with the appointment's time (ISO 8601, with an offset or in the contact's zone). */
  atColumn: string;
  reminders: Reminder[];
  /** A `before` reminder is never sent later than this before the appointment. Default 1 h. */
  minLeadMs: number;
}

export interface Reminder {
  name: string;
  when: "before" | "after";
  /** `m` and `h` are exact durations; `d` is calendar days in the contact's zone. */
  offset: { amount: number; unit: "m" | "h" | "d" };
  /** `time` (HH:MM) as minutes after midnight: due at that wall-clock time on the day the offset gives. */
  timeOfDay: number | undefined;
  /** Never sent later than this after its due time. */
  withinMs: number | undefined;
}

/** A reminder in words: "1d before, at 18:00", "3h after, within 1d". */
export function describeReminder(reminder: Reminder): string {
  const at = reminder.timeOfDay === undefined ? "" : `, at ${clock(reminder.timeOfDay)}`;
  const within = reminder.withinMs === undefined ? "" : `, within ${reminder.withinMs / 60_000} min`;
  return `${reminder.offset.amount}${reminder.offset.unit} ${reminder.when}${at}${within}`;
}

function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}
