/**
 * The Parameter each reminder's name is sent as (docs/reference.md §16), so that one flow can word
 * each reminder: `{% if flow.data.reminder == 'two-hours' %}`. A parameter column of that name is
 * refused by the header check; the preflight does not warn about it.
 */
export const REMINDER_PARAMETER = "reminder";

/** A row's Parameters as one of its reminders is sent them. */
export function withReminder(parameters: Readonly<Record<string, unknown>>, name: string): Record<string, unknown> {
  return { ...parameters, [REMINDER_PARAMETER]: name };
}

/** The Parameters keys of a standing campaign's units: the row's, the reminder's name, and the display times (`schedule.display`). */
export function reminderParameterKeys(fromRow: readonly string[], display: readonly string[] = []): string[] {
  return [...new Set([...fromRow, REMINDER_PARAMETER, ...display])];
}
