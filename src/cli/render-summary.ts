import type { Campaign } from "../campaign/campaign.js";
import type { ScheduleView } from "../engine/standing/schedule-view.js";
import { estimatePace, formatDuration } from "../contacts/sender-throughput.js";
import { ROW_STATUSES, type StatusCounts } from "../ledger/row-status.js";
import { type RunSummary } from "../engine/run/run-events.js";

export function formatCounts(counts: StatusCounts): string {
  return (
    ROW_STATUSES.filter((status) => counts[status] > 0)
      .map((status) => `${status} ${counts[status]}`)
      .join(", ") || "no rows"
  );
}

/** The human summary every run ends with (docs/reference.md §7); a dry run of a standing campaign says it counts reminders. */
export function formatSummary(
  summary: RunSummary,
  ledgerPath: string,
  unit: "contact" | "reminder" = summary.schedule ? "reminder" : "contact",
): string {
  const lines = [
    summary.dryRun ? "Dry run: nothing was sent." : "",
    `Rows:      ${formatCounts(summary.counts)}`,
    `This run:  ${summary.thisRun.created} created, ${summary.thisRun.conflictSkipped} conflict-skipped, ` +
      `${summary.thisRun.failed} failed, ${summary.thisRun.expired} expired, ${summary.thisRun.optedOut} opted out, ` +
      `${summary.thisRun.invalid} invalid; ${summary.thisRun.requests} create requests, ${summary.thisRun.rateLimited} answered 429`,
    `Duration:  ${(summary.durationMs / 1000).toFixed(1)} s, achieved rate ${summary.achievedRate.toFixed(2)}/s`,
    `Ledger:    ${ledgerPath}`,
    summary.skippedFinalRows ? `Checkpoint: rows 1–${summary.skippedFinalRows} were final and not read again` : "",
  ];
  if (summary.schedule) lines.push(scheduleLine(summary.schedule));
  if (summary.schedule?.reread) lines.push(rereadLine(summary.schedule.reread));
  if (summary.stopped) lines.push(`Stopped:   ${summary.stopMessage ?? summary.stopped} — run the same command again to continue.`);
  else if (summary.counts.pending > 0)
    lines.push(
      `Pending:   ${summary.counts.pending} ${unit === "reminder" ? "due reminder(s)" : "contacts"} — run the same command again to continue.`,
    );
  return `${lines.filter(Boolean).join("\n")}\n`;
}

/** A standing campaign's run in one line (docs/reference.md §16): due, sent, waiting, cancelled, expired, later, and the next due. */
export function scheduleLine(s: NonNullable<RunSummary["schedule"]>): string {
  const next = s.nextDueAt === undefined ? "nothing else is due" : `the next due at ${s.nextDueAt} (${s.nextDueCount} then)`;
  if (s.unchanged)
    return `Reminders: nothing due; the export and the ledger unchanged since the last tick (not read again); ${s.later} later — ${next}`;
  const held = s.held ? `, ${s.held} held by the window${s.expiring ? ` (${s.expiring} of them expire before it opens)` : ""}` : "";
  return (
    `Reminders: ${s.due} due, ${s.sent} sent${held}, ${s.waiting} waiting on a busy number, ${s.cancelled} cancelled, ${s.expired} ` +
    `expired; ${s.later} later — ${next}`
  );
}

/** Appointments read as another time from the same cells (docs/reference.md §17): not moved, nothing sent again. */
export function rereadLine(count: number): string {
  return `Re-read:   ${count} appointment(s) re-read at another time after a campaign change: their sent reminders are not sent again`;
}

/** What `validate` and `--dry-run` show of a standing campaign's schedule (docs/reference.md §16), each part with its first rows. */
export function scheduleViewLines(view: ScheduleView): string[] {
  const rows = (part: ScheduleView["dueNow"]) => (part.rows.length > 0 ? ` (rows ${part.rows.join(", ")}${part.more ? ", …" : ""})` : "");
  const lines = [
    `Schedule: ${view.dueNow.count} reminder(s) due now${rows(view.dueNow)}, ${view.next24h.count} in the next 24 hours${rows(view.next24h)}, ` +
      `${view.later.count} later${rows(view.later)}; ${view.cancelled} cancelled (their appointment left the file)`,
  ];
  if (view.never.count > 0)
    lines.push(
      `warning: ${view.never.count} reminder(s) can never be sent${rows(view.never)}: due at or after their deadline, or their ` +
        `window does not open before it`,
    );
  return lines;
}

/** "Expected duration" and the senders' queue warnings (a pace each sender can carry), counting `unit`s. */
export function paceLines(campaign: Campaign, toSendBySender: Record<string, number>, unit: "contact" | "reminder"): string[] {
  const bySender = new Map(Object.entries(toSendBySender));
  if (bySender.size === 0) return [];
  const { rate } = campaign;
  const pace = estimatePace({
    contactsBySender: bySender,
    perSecond: rate.perSecond,
    senderMps: rate.senderMps,
    messagesPerContact: rate.messagesPerContact,
    unit,
  });
  const perSender =
    rate.senderMps === undefined
      ? ""
      : `, each sender at ${(rate.senderMps / rate.messagesPerContact).toFixed(2)}/s (senderMps ${rate.senderMps} ÷ ` +
        `${rate.messagesPerContact} message(s) per contact)`;
  return [
    `Expected duration: ~${formatDuration(pace.durationSeconds)} for ${[...bySender.values()].reduce((a, b) => a + b, 0)} ` +
      `${unit}(s) at ${rate.perSecond}/s${perSender}`,
    ...pace.warnings.map((w) => `warning: ${w}`),
  ];
}

/** A share 0..1 as "12.5 %". */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}
