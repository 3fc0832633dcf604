import { unitKey } from "../contacts/unit.js";
import type { FlowChecked, LedgerEvent } from "../ledger/events.js";
import {
  foldExecutionEvent,
  foldUnitEvent,
  isUnitEvent,
  newUnitDetail,
  newUnitState,
  type CreatedExecution,
  type SourceReminder,
  type UnitDetail,
  type UnitEvent,
  type UnitState,
} from "../ledger/fold.js";
import { scanLines } from "../ledger/line-scan.js";
import type { ReportSource } from "../ledger/report-source.js";
import type { Outcome } from "../flow/outcome.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import type { RowStatus } from "../ledger/row-status.js";
import { resultCell, resultsColumns, type ResultsColumn } from "../flow/results-columns.js";
import { csvRecord } from "../contacts/csv-writer.js";
import type { ContactReply } from "../flow/contact-reply.js";
import { replyMeaning, type Intents } from "../flow/reply-intent.js";
import { intentCell } from "../flow/reply-summary.js";

export const REPORT_COLUMNS = [
  "row",
  "to",
  "from",
  "status",
  "execution_sid",
  "attempts",
  "http_status",
  "error_code",
  "error_message",
  "conflicting_execution_sid",
  "conflict_action",
  "first_attempt_at",
  "last_event_at",
  "execution_status",
  "outcome",
  "outcome_widget",
  "outcome_error_code",
] as const;

/** A standing campaign's report (docs/reference.md §16): after the outcome columns and before the results, which reminder each row is. */
export const REMINDER_COLUMNS = ["key", "reminder", "appointment_at", "due_at"] as const;

/** A campaign with `replies` (docs/reference.md §19): after `due_at` (a survey's: the outcome columns), before the results. */
export const REPLY_COLUMNS = ["intent", "reply", "replied_at", "late"] as const;

export interface ReportRow {
  /** The CSV row; 0 for a standing campaign's reminder no longer in the file (its `row` cell is empty). */
  row: number;
  to: string;
  from: string;
  status: RowStatus;
  execution_sid: string;
  attempts: number;
  http_status: number | null;
  error_code: number | null;
  error_message: string;
  conflicting_execution_sid: string;
  conflict_action: "" | "skipped" | "ended" | "adopted";
  first_attempt_at: string;
  last_event_at: string;
  execution_status: "" | "active" | "ended";
  /** docs/reference.md §12: empty until `results` collected it. */
  outcome: Outcome | "";
  outcome_widget: string;
  outcome_error_code: number | null;
  /** When the contact first answered (not a CSV column: the HTML report's answers over time). */
  answered_at?: string;
  /** A standing campaign's reminder: the appointment's key, the reminder, the appointment time and the due time (ISO 8601 UTC). */
  reminder?: Record<(typeof REMINDER_COLUMNS)[number], string>;
  /** The contact's latest reply to its Execution (docs/reference.md §19). */
  reply?: ContactReply | undefined;
  /** The results columns' cells, in the report's order (docs/reference.md §6, §11). */
  results: string[];
  /** With `--follow-up`: each follow-up's cells (`Report.followUpColumns`), after the results. */
  followUps?: string[];
}

export interface Report {
  /** The results columns after `execution_status`. */
  resultsColumns: ResultsColumn[];
  /** The rows in CSV order, a range of rows at a time (`rowsPerPass` rows each, the last one shorter). */
  chunks: AsyncGenerator<ReportRow[]>;
  /** The latest flow preflight the ledger recorded (flow, published revision, questions), if any. */
  flow?: FlowChecked | undefined;
  /** With `--follow-up`: the follow-ups' columns, `<name>.status`, `<name>.outcome`, `<name>.<results column>` (docs/reference.md §13). */
  followUpColumns?: string[];
  /** A standing campaign's report: the reminder columns after the outcome ones. */
  reminderColumns?: boolean;
  /** A campaign with `replies`: its intents, and the reply columns (docs/reference.md §19). */
  intents?: Intents | undefined;
}

/**
 * Rows per range: the report holds this many rows at once, never the campaign. Each ledger is
 * read once whatever the range (a file spills its lines by range first; PostgreSQL answers each
 * range by index), so a range costs memory, not passes.
 */
const ROWS_PER_PASS = 2_500;

/**
 * Fold ledgers (one, or the shards of one campaign) into report rows, by CSV row. Results
 * columns are the campaign's `results`, else the flow's questions as the preflight recorded
 * them in the ledger: no network call. Each range of rows is folded by the ledger's one fold
 * (`foldUnitEvent` with a report detail, `foldExecutionEvent`) and yielded sorted.
 */
export async function buildReport(
  ledgers: LedgerStore[],
  options: { results?: ResultsColumn[] | undefined; rowsPerPass?: number } = {},
): Promise<Report> {
  const rowsPerPass = options.rowsPerPass ?? ROWS_PER_PASS;
  const sources: ReportSource[] = [];
  try {
    for (const ledger of ledgers) sources.push(await ledger.openReport(rowsPerPass));
  } catch (err) {
    await Promise.all(sources.map((source) => source.close()));
    throw err;
  }
  const maxRow = Math.max(0, ...sources.map((source) => source.maxRow));
  const flowLine = sources.findLast((source) => source.flowLine !== undefined)?.flowLine;
  const flow = flowLine === undefined ? undefined : (JSON.parse(flowLine) as FlowChecked);
  const columns = resultsColumns(options.results, flow?.questions);
  return { resultsColumns: columns, flow, chunks: rowRanges(sources, columns, maxRow, rowsPerPass) };
}

async function* rowRanges(
  sources: ReportSource[],
  columns: ResultsColumn[],
  maxRow: number,
  rowsPerPass: number,
): AsyncGenerator<ReportRow[]> {
  try {
    for (let low = 1; low <= maxRow; low += rowsPerPass) {
      const range = new RangeFold();
      for (const source of sources) range.add(await source.range(low, low + rowsPerPass));
      yield range.rows(columns);
    }
  } finally {
    await Promise.all(sources.map((source) => source.close()));
  }
}

/** One range of rows, folded: its skipped rows, its units (state and detail), the Executions they created. */
class RangeFold {
  readonly #skipped = new Map<number, ReportRow>();
  readonly #units = new Map<string, { state: UnitState; detail: UnitDetail }>();
  readonly #executions = new Map<string, CreatedExecution>();

  /** A ledger's lines of the range, in its order (an Execution's later lines follow its creation). */
  add(text: string): void {
    for (const line of scanLines(text)) {
      const event = JSON.parse(text.slice(line.start, line.end)) as LedgerEvent;
      if (event.t === "row")
        this.#skipped.set(event.row, {
          ...blankRow(event.row, event.to, event.from, event.status),
          error_message: event.reason,
          last_event_at: event.at,
        });
      else if (isUnitEvent(event)) this.#unit(event);
      foldExecutionEvent(this.#executions, event);
    }
  }

  #unit(event: UnitEvent): void {
    const key = unitKey(event);
    let unit = this.#units.get(key);
    if (!unit) this.#units.set(key, (unit = { state: newUnitState(), detail: newUnitDetail(event) }));
    foldUnitEvent(unit.state, event, unit.detail);
  }

  rows(columns: ResultsColumn[]): ReportRow[] {
    const units = [...this.#units.values()].map(({ state, detail }) => unitRow(state, detail, this.#executions, columns));
    for (const row of this.#skipped.values()) row.results = columns.map(() => "");
    return [...this.#skipped.values(), ...units].sort((a, b) => a.row - b.row);
  }
}

/** A unit's report row: its folded state and detail, and what the ledger knows of the Execution it created. */
export function unitRow(
  state: UnitState,
  detail: UnitDetail,
  executions: ReadonlyMap<string, CreatedExecution>,
  columns: ResultsColumn[],
): ReportRow {
  const execution = detail.executionSid ? executions.get(detail.executionSid) : undefined;
  const outcome = execution?.results?.outcome;
  return {
    ...blankRow(detail.row, detail.to, detail.from, state.status),
    execution_sid: detail.executionSid,
    attempts: state.attempts,
    http_status: detail.httpStatus,
    error_code: detail.errorCode,
    error_message: detail.errorMessage,
    conflicting_execution_sid: detail.conflictingSid,
    conflict_action: detail.conflictAction,
    first_attempt_at: detail.firstAttemptAt,
    last_event_at: detail.lastEventAt,
    execution_status: execution?.status ?? "",
    ...(outcome ? { outcome: outcome.outcome, outcome_widget: outcome.widget, outcome_error_code: outcome.errorCode } : {}),
    ...(outcome?.answeredAt ? { answered_at: outcome.answeredAt } : {}),
    ...(detail.reminder ? { reminder: reminderCells(detail.reminder) } : {}),
    ...(execution?.reply ? { reply: execution.reply } : {}),
    results: columns.map((column) => resultCell(execution?.results?.values[column.path])),
  };
}

/** `intent`, `reply`, `replied_at`, `late`: all empty without a reply. */
export function replyCells(reply: ContactReply | undefined, intents: Intents): string[] {
  if (!reply) return ["", "", "", ""];
  return [intentCell(replyMeaning(reply.text, intents)), reply.text, reply.repliedAt, String(reply.late)];
}

/** A reminder unit's cells (a follow-up's of a standing campaign: its source reminder, no due time of its own). */
function reminderCells(reminder: SourceReminder): NonNullable<ReportRow["reminder"]> {
  return { key: reminder.key, reminder: reminder.name, appointment_at: reminder.appointmentAt, due_at: "" };
}

export function blankRow(row: number, to: string, from: string, status: RowStatus): ReportRow {
  return {
    row,
    to,
    from,
    status,
    execution_sid: "",
    attempts: 0,
    http_status: null,
    error_code: null,
    error_message: "",
    conflicting_execution_sid: "",
    conflict_action: "",
    first_attempt_at: "",
    last_event_at: "",
    execution_status: "",
    outcome: "",
    outcome_widget: "",
    outcome_error_code: null,
    results: [],
  };
}

/** The report as CSV text, a range of rows at a time (header first). */
export async function* reportCsvChunks(report: Report, onRows?: (count: number) => void): AsyncGenerator<string> {
  const reminders = report.reminderColumns ? REMINDER_COLUMNS : [];
  const { intents } = report;
  const replies = intents ? REPLY_COLUMNS : [];
  yield csvRecord([
    ...REPORT_COLUMNS,
    ...reminders,
    ...replies,
    ...report.resultsColumns.map((c) => c.name),
    ...(report.followUpColumns ?? []),
  ]);
  for await (const rows of report.chunks) {
    onRows?.(rows.length);
    let text = "";
    for (const row of rows) {
      const base = REPORT_COLUMNS.map((column) => (column === "row" && row.row === 0 ? "" : row[column]));
      const reminder = reminders.map((column) => row.reminder?.[column] ?? "");
      const reply = intents ? replyCells(row.reply, intents) : [];
      text += csvRecord([...base, ...reminder, ...reply, ...row.results, ...(row.followUps ?? [])]);
      if (text.length >= 1 << 16) {
        yield text;
        text = "";
      }
    }
    if (text) yield text;
  }
}
