import { resultCell, type ResultsColumn } from "./results-columns.js";
import { AnswerTally, rankAnswers } from "./answer-tally.js";

/** Per results column: what the people who asked for the survey want to see first (docs/reference.md §11). */
export interface ColumnSummary {
  column: string;
  /** Executions that were asked (for a question: its message went out; else: Context read). */
  asked: number;
  answered: number;
  /** answered / asked, 0..1; 0 when nobody was asked. */
  responseRate: number;
  /** The most frequent answers, most first (`rankAnswers`), counted regardless of case (`AnswerTally`). */
  top: Array<{ answer: string; count: number }>;
}

/**
 * For a column at a question's reply (`widgets.<name>.inbound.…`), the path that shows the
 * question was sent (`widgets.<name>.outbound.Sid`); other columns have none.
 */
export function askedPath(path: string): string | undefined {
  const widget = /^widgets\.([^.]+)\.inbound(\.|$)/.exec(path)?.[1];
  return widget === undefined ? undefined : `widgets.${widget}.outbound.Sid`;
}

/** Pure: the summary of recorded values (by path) of every Execution whose Context was read. */
export function summarizeResults(columns: readonly ResultsColumn[], records: Iterable<Record<string, unknown>>, topN = 5): ColumnSummary[] {
  const tallies = columns.map(() => ({ asked: 0, answered: 0, answers: new AnswerTally() }));
  for (const values of records) {
    columns.forEach((column, i) => {
      const tally = tallies[i]!;
      const answer = resultCell(values[column.path]).trim();
      const asked = askedPath(column.path);
      if (asked === undefined || (values[asked] ?? null) !== null || answer !== "") tally.asked++;
      if (answer === "") return;
      tally.answered++;
      tally.answers.add(answer);
    });
  }
  return columns.map((column, i) => {
    const { asked, answered, answers } = tallies[i]!;
    const top = rankAnswers(answers.counts)
      .slice(0, topN)
      .map(([answer, count]) => ({ answer, count }));
    return { column: column.name, asked, answered, responseRate: asked > 0 ? answered / asked : 0, top };
  });
}
