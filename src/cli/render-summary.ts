import { ROW_STATUSES, type RunSummary, type StatusCounts } from "../campaign/run-events.js";

export function formatCounts(counts: StatusCounts): string {
  return ROW_STATUSES.filter((status) => counts[status] > 0)
    .map((status) => `${status} ${counts[status]}`)
    .join(", ") || "no rows";
}

/** The human summary every run ends with (SPEC §7). */
export function formatSummary(summary: RunSummary, ledgerPath: string): string {
  const lines = [
    summary.dryRun ? "Dry run: nothing was sent." : "",
    `Rows:      ${formatCounts(summary.counts)}`,
    `This run:  ${summary.thisRun.created} created, ${summary.thisRun.conflictSkipped} conflict-skipped, ${summary.thisRun.failed} failed, ${summary.thisRun.expired} expired, ` +
      `${summary.thisRun.invalid} invalid; ${summary.thisRun.requests} create requests, ${summary.thisRun.rateLimited} answered 429`,
    `Duration:  ${(summary.durationMs / 1000).toFixed(1)} s, achieved rate ${summary.achievedRate.toFixed(2)}/s`,
    `Ledger:    ${ledgerPath}`,
  ];
  if (summary.stopped) lines.push(`Stopped:   ${summary.stopMessage ?? summary.stopped} — run the same command again to continue.`);
  else if (summary.counts.pending > 0) lines.push(`Pending:   ${summary.counts.pending} contacts — run the same command again to continue.`);
  return `${lines.filter(Boolean).join("\n")}\n`;
}
