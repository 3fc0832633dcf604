import type { UnitState } from "../ledger/fold.js";

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
  /** `at` as two columns (`{ "date": C1, "time": C2 }`, docs/reference.md §17): the time's column; the two cells are joined with one space. */
  atTimeColumn?: string | undefined;
  reminders: Reminder[];
  /** A `before` reminder is never sent later than this before the appointment. Default 1 h. */
  minLeadMs: number;
  /** How many appointments with reminders to come one tick may cancel (docs/reference.md §17). Default 25 %. */
  maxCancel: { count: number } | { percent: number };
  /** `display` (docs/reference.md §17): Parameters holding the appointment time as people read it — name → format. */
  display: Array<{ parameter: string; format: string }>;
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

/**
 * Is a reminder of an appointment no longer in the export as it was `cancelled` (docs/reference.md
 * §16)? Only one of an appointment that left, for its latest time, with no Execution — never
 * attempted, or only refused by a 409 (still pending). One already final (created, expired…) stays
 * so; one of an earlier time of a moved appointment simply moved. Pure: the planner and the
 * report ask it alike.
 */
export function isCancelled(known: Pick<UnitState, "status"> | undefined, where: { gone: boolean; latestTime: boolean }): boolean {
  return where.gone && where.latestTime && (known === undefined || known.status === "pending");
}
