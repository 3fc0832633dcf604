/**
 * Looking into a ledger's JSON lines without parsing them (the report, over a million of them):
 * each line's extent, its `row` and the Execution SID it names. Every line but an Execution's
 * (`exec`, `results`, `reply`: they may hold any JSON) names its row near its start; created and adopted
 * lines name their Execution too.
 */
export interface ScannedLine {
  start: number;
  /** The index of the line's "\n". */
  end: number;
  /** The CSV row the line is about; undefined for the campaign's and the flow's lines, and an Execution's. */
  row: number | undefined;
  /** For `exec`, `results` and `reply` lines: the Execution they are about; for `created` and `adopted`, the one made. */
  sid: string | undefined;
  /** `exec`, `results` or `reply`: about an Execution, not a row. */
  execution: boolean;
}

const EXECUTION_LINES = ['{"t":"exec"', '{"t":"results"', '{"t":"reply"'];
const CREATION_LINES = ['{"t":"created"', '{"t":"adopted"'];

/** Every complete line of a chunk of ledger text (one ending with "\n"), looked into in place. */
export function* scanLines(text: string): Generator<ScannedLine> {
  for (let start = 0, end = text.indexOf("\n"); end !== -1; start = end + 1, end = text.indexOf("\n", start)) {
    if (EXECUTION_LINES.some((prefix) => text.startsWith(prefix, start))) {
      yield { start, end, row: undefined, sid: sidIn(text, start, end), execution: true };
      continue;
    }
    const creation = CREATION_LINES.some((prefix) => text.startsWith(prefix, start));
    yield { start, end, row: rowIn(text, start, end), sid: creation ? sidIn(text, start, end) : undefined, execution: false };
  }
}

function rowIn(text: string, start: number, end: number): number | undefined {
  const at = text.indexOf('"row":', start);
  if (at === -1 || at >= end) return undefined;
  let row = 0;
  for (let i = at + 6; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    row = row * 10 + digit;
  }
  return row;
}

function sidIn(text: string, start: number, end: number): string | undefined {
  const at = text.indexOf('"sid":"', start);
  const close = at === -1 || at > end ? -1 : text.indexOf('"', at + 7);
  return close === -1 ? undefined : text.slice(at + 7, close);
}
