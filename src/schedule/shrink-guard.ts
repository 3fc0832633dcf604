import type { Schedule } from "./schedule.js";

/**
 * Has the export shrunk past what a booking system's ordinary cancellations explain — a partial
 * export, a file being rewritten while cron read it, a header-only file? Then the tick cancels
 * none of the missing appointments (their reminders are held, neither sent nor cancelled) until
 * the export is whole again or the operator says it is right (`run --accept-cancel`). Pure.
 */
export function exportShrank(lost: number, of: number, max: Schedule["maxCancel"]): boolean {
  if (lost === 0) return false;
  // A percentage always allows one: a clinic with three appointments tomorrow can lose one to a
  // cancellation without an operator; a header-only export (all of them lost) is still held.
  const allowed = "count" in max ? max.count : Math.max(1, Math.floor((of * max.percent) / 100));
  return lost > allowed;
}

/** What the run says when it holds them (exit 75). */
export function shrinkMessage(lost: number, of: number): string {
  return (
    `the export lost ${lost} of ${of} appointments with reminders to come since the last tick; nothing was cancelled ` +
    `(a partial export?). If it is right: run --accept-cancel`
  );
}
