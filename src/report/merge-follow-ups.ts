import type { Report, ReportRow } from "./build-report.js";

/**
 * One sheet per survey (SPEC §13): the source campaign's rows, each with every follow-up's status,
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
  return { resultsColumns: source.resultsColumns, flow: source.flow, followUpColumns, chunks: merged(source, followUps) };
}

async function* merged(source: Report, followUps: ReadonlyArray<{ name: string; report: Report }>): AsyncGenerator<ReportRow[]> {
  for await (const rows of source.chunks) {
    const cellsByRow = followUps.map(() => new Map<number, string[]>());
    for (const [i, { report }] of followUps.entries()) {
      const next = await report.chunks.next(); // the same range of rows (a follow-up may end sooner: nobody after)
      for (const row of next.done ? [] : next.value) cellsByRow[i]!.set(row.row, [row.status, row.outcome, ...row.results]);
    }
    for (const row of rows) {
      row.followUps = followUps.flatMap(({ report }, i) => cellsByRow[i]!.get(row.row) ?? ["", "", ...report.resultsColumns.map(() => "")]);
    }
    yield rows;
  }
}
