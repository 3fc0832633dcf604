import type { Report, ReportRow } from "./build-report.js";

/**
 * One sheet per survey (docs/reference.md §13): the source campaign's rows, each with every follow-up's status,
 * outcome and results cells, prefixed with the follow-up's name. A follow-up's rows carry their
 * source row's number, and every report yields the same ranges of rows per pass, so the reports
 * are walked side by side, a range at a time: memory follows one range, not the campaign.
 */
export function withFollowUps(source: Report, followUps: ReadonlyArray<{ name: string; report: Report }>): Report {
  const followUpColumns = followUps.flatMap(({ name, report }) => [
    `${name}.status`,
    `${name}.outcome`,
    ...report.resultsColumns.map((c) => `${name}.${c.name}`),
  ]);
  const chunks = source.reminderColumns ? mergedByReminder(source, followUps) : merged(source, followUps);
  return { ...source, followUpColumns, chunks };
}

const blankCells = (report: Report) => ["", "", ...report.resultsColumns.map(() => "")];

async function* merged(source: Report, followUps: ReadonlyArray<{ name: string; report: Report }>): AsyncGenerator<ReportRow[]> {
  for await (const rows of source.chunks) {
    const cellsByRow = followUps.map(() => new Map<number, string[]>());
    for (const [i, { report }] of followUps.entries()) {
      const next = await report.chunks.next(); // the same range of rows (a follow-up may end sooner: nobody after)
      for (const row of next.done ? [] : next.value) cellsByRow[i]!.set(row.row, [row.status, row.outcome, ...row.results]);
    }
    for (const row of rows) {
      row.followUps = followUps.flatMap(({ report }, i) => cellsByRow[i]!.get(row.row) ?? blankCells(report));
    }
    yield rows;
  }
}

/**
 * A standing campaign's rows are reminders, and its rows' numbers change with each export: a
 * follow-up's rows are matched by the reminder they follow up (its key, name and appointment
 * time). The follow-ups' cells are held (their rows, not the source's), then the source walked.
 */
async function* mergedByReminder(source: Report, followUps: ReadonlyArray<{ name: string; report: Report }>): AsyncGenerator<ReportRow[]> {
  // The appointment time as an instant: the source shows it in the appointment's zone, a follow-up as recorded (UTC).
  const id = (r: NonNullable<ReportRow["reminder"]>) => `${r.key}|${r.reminder}|${Date.parse(r.appointment_at)}`;
  const cellsByReminder = followUps.map(() => new Map<string, string[]>());
  for (const [i, { report }] of followUps.entries())
    for await (const rows of report.chunks)
      for (const row of rows) if (row.reminder) cellsByReminder[i]!.set(id(row.reminder), [row.status, row.outcome, ...row.results]);
  for await (const rows of source.chunks) {
    for (const row of rows) {
      row.followUps = followUps.flatMap(
        ({ report }, i) => (row.reminder && cellsByReminder[i]!.get(id(row.reminder))) || blankCells(report),
      );
    }
    yield rows;
  }
}
