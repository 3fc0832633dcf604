import { addCalendarDays, atMinuteOfDay } from "../contacts/zoned-time.js";
import type { Reminder, Schedule } from "./schedule.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** When a reminder is due and until when it may be sent; `deadline` Infinity when nothing bounds it. */
export interface ReminderTimes {
  dueAt: number;
  deadline: number;
}

/**
 * A reminder's due time and deadline for an appointment at `appointmentAt` (ms) in `zone` (docs/reference.md
 * §16), pure. Due: `before` or `after` the appointment by the offset — `m` and `h` exact, `d`
 * calendar days in the zone (the same wall-clock time N days away, across a DST change) — then,
 * with `time`, that wall-clock time on the day so computed. Deadline: the earliest of `minLead`
 * before the appointment (a `before` reminder), `within` after the due time, and the row's
 * `notAfter`. As RapidPro's campaign events keep "the same hour of the day" across DST and Cal.com
 * schedules a workflow step relative to the booking, so does this; unlike them, a reminder whose
 * time has passed is still sent while its deadline allows (an outage, a row added late).
 */
export function reminderTimes(
  appointmentAt: number,
  reminder: Reminder,
  schedule: Pick<Schedule, "minLeadMs">,
  zone: string,
  notAfter?: number,
): ReminderTimes {
  const sign = reminder.when === "before" ? -1 : 1;
  const { amount, unit } = reminder.offset;
  let dueAt =
    unit === "d" ? addCalendarDays(appointmentAt, sign * amount, zone) : appointmentAt + sign * amount * (unit === "h" ? HOUR : MINUTE);
  if (reminder.timeOfDay !== undefined) dueAt = atMinuteOfDay(dueAt, reminder.timeOfDay, zone);
  const bounds = [
    reminder.when === "before" ? appointmentAt - schedule.minLeadMs : Infinity,
    reminder.withinMs === undefined ? Infinity : dueAt + reminder.withinMs,
    notAfter ?? Infinity,
  ];
  return { dueAt, deadline: Math.min(...bounds) };
}

/** Where a reminder stands at `now`: not yet due, due and sendable, or past its deadline (never sent late). */
export type ReminderPhase = "later" | "due" | "expired";

export function reminderPhase(times: ReminderTimes, now: number): ReminderPhase {
  if (now >= times.deadline) return "expired";
  return now < times.dueAt ? "later" : "due";
}
