import type { Reminder, Schedule } from "./schedule.js";
import { displayFormatProblem } from "../contacts/date-symbols.js";

type Fail = (key: string, expected: string, got?: unknown) => never;

const DEFAULT_MIN_LEAD = "1h";
const DEFAULT_MAX_CANCEL = "25%";
const UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A campaign file's `schedule` (docs/reference.md §16), every key checked: an error names the key and what was
 * expected (exit 2). Durations are a whole number and `m`, `h` or `d`; `time` is `HH:MM`.
 */
export function parseSchedule(raw: unknown, fail: Fail): Schedule {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("schedule", "an object with key, at and reminders");
  const schedule = raw as Record<string, unknown>;
  for (const key of Object.keys(schedule))
    if (!["key", "at", "reminders", "minLead", "maxCancel", "display"].includes(key))
      fail(`schedule.${key}`, "one of key, at, reminders, minLead, maxCancel, display (unknown key)");
  if (typeof schedule.key !== "string" || schedule.key === "") fail("schedule.key", "a column name", schedule.key);
  const at = parseAt(schedule.at, fail);
  const minLead = schedule.minLead ?? DEFAULT_MIN_LEAD;
  const minLeadMs = exactDuration(minLead) ?? fail("schedule.minLead", 'a duration such as "1h" (m, h, d)', minLead);
  const list = schedule.reminders;
  if (!Array.isArray(list) || list.length === 0) return fail("schedule.reminders", "a non-empty array of reminders");
  const reminders = list.map((item, i) => parseReminder(item, `schedule.reminders[${i}]`, fail));
  const names = new Set<string>();
  for (const [i, reminder] of reminders.entries()) {
    if (names.has(reminder.name)) fail(`schedule.reminders[${i}].name`, "unique among the reminders", reminder.name);
    names.add(reminder.name);
  }
  const maxCancel =
    parseMaxCancel(schedule.maxCancel ?? DEFAULT_MAX_CANCEL) ??
    fail("schedule.maxCancel", 'a count (10) or a percentage ("25%")', schedule.maxCancel);
  return { keyColumn: schedule.key as string, ...at, reminders, minLeadMs, maxCancel, display: parseDisplay(schedule.display, fail) };
}

/** `display`: Parameter name → a format of the appointment time (docs/reference.md §17). */
function parseDisplay(value: unknown, fail: Fail): Schedule["display"] {
  if (value === undefined) return [];
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return fail("schedule.display", 'an object of Parameter name → format, e.g. {"appointment_time": "EEEE d MMMM \'at\' h:mm a"}', value);
  return Object.entries(value).map(([parameter, format]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(parameter) || parameter === "reminder")
      fail(`schedule.display.${parameter}`, 'a Parameter name of letters, digits and _ (not "reminder")');
    if (typeof format !== "string" || format.trim() === "") fail(`schedule.display.${parameter}`, "a format", format);
    const problem = displayFormatProblem(format as string);
    if (problem) fail(`schedule.display.${parameter}`, problem, format);
    return { parameter, format: format as string };
  });
}

/** `at`: a column, or a date column and a time column (docs/reference.md §17). */
function parseAt(value: unknown, fail: Fail): Pick<Schedule, "atColumn" | "atTimeColumn"> {
  if (typeof value === "string" && value !== "") return { atColumn: value, atTimeColumn: undefined };
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const { date, time, ...rest } = value as Record<string, unknown>;
    for (const key of Object.keys(rest)) fail(`schedule.at.${key}`, "one of date, time (unknown key)");
    if (typeof date !== "string" || date === "") fail("schedule.at.date", "a column name", date);
    if (typeof time !== "string" || time === "") fail("schedule.at.time", "a column name", time);
    return { atColumn: date as string, atTimeColumn: time as string };
  }
  return fail("schedule.at", 'a column name, or { "date": column, "time": column }', value);
}

/** `maxCancel`: a whole count (`10`) or a percentage (`"25%"`, 0 to 100). */
function parseMaxCancel(value: unknown): Schedule["maxCancel"] | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? { count: value } : undefined;
  const match = typeof value === "string" ? /^(\d+(?:\.\d+)?)\s*%$/.exec(value.trim()) : null;
  const percent = match ? Number(match[1]) : NaN;
  return percent >= 0 && percent <= 100 ? { percent } : undefined;
}

function parseReminder(raw: unknown, where: string, fail: Fail): Reminder {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail(where, "an object with name and before or after");
  const item = raw as Record<string, unknown>;
  for (const key of Object.keys(item))
    if (!["name", "before", "after", "time", "within"].includes(key))
      fail(`${where}.${key}`, "one of name, before, after, time, within (unknown key)");
  const name = item.name;
  if (typeof name !== "string" || !/^[A-Za-z0-9._-]+$/.test(name))
    fail(`${where}.name`, "a name of letters, digits, '.', '_' or '-'", name);
  if ((item.before === undefined) === (item.after === undefined)) fail(where, "exactly one of before and after");
  const when = item.before !== undefined ? "before" : "after";
  const offset = calendarDuration(item[when]) ?? fail(`${where}.${when}`, 'a duration such as "2h", "30m" or "1d"', item[when]);
  const timeOfDay = item.time === undefined ? undefined : (parseTimeOfDay(item.time) ?? fail(`${where}.time`, 'a time "HH:MM"', item.time));
  const withinMs =
    item.within === undefined
      ? undefined
      : (exactDuration(item.within) ?? fail(`${where}.within`, 'a duration such as "1d" (m, h, d)', item.within));
  return { name: name as string, when, offset, timeOfDay, withinMs };
}

/** `30m`, `2h`, `1d`: a whole number and a unit, kept as written (`d` is calendar days where it matters). */
function calendarDuration(value: unknown): Reminder["offset"] | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d+)([mhd])$/.exec(value.trim());
  return match ? { amount: Number(match[1]), unit: match[2] as "m" | "h" | "d" } : undefined;
}

/** A duration in ms (a day as 24 hours: a bound, not a date). */
function exactDuration(value: unknown): number | undefined {
  const duration = calendarDuration(value);
  return duration && duration.amount * UNITS[duration.unit];
}

function parseTimeOfDay(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}
