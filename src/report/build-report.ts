import { unitKey } from "../contacts/unit.js";
import type { FlowChecked, LedgerEvent, RecordedOutcome } from "../ledger/events.js";
import type { Outcome } from "../flow/outcome.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import type { RowStatus } from "../ledger/row-status.js";
import { resultCell, resultsColumns, type ResultsColumn } from "../flow/results-columns.js";
import { csvLine } from "./csv-cell.js";

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

export interface ReportRow {
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
  /** SPEC §12: empty until `results` collected it. */
  outcome: Outcome | "";
  outcome_widget: string;
  outcome_error_code: number | null;
  /** When the contact first answered (not a CSV column: the HTML report's answers over time). */
  answered_at?: string;
  /** The results columns' cells, in the report's order (SPEC §6, §11). */
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
  /** With `--follow-up`: the follow-ups' columns, `<name>.status`, `<name>.outcome`, `<name>.<results column>` (SPEC §13). */
  followUpColumns?: string[];
}

/**
 * Rows per pass over the ledgers: the report holds this many rows at once, never the campaign.
 * Measured on a 1 000 000-row campaign (a 266 MB ledger) under a 1 MB semi-space (the bin's until issue 24), the
 * report alone: 100 000 rows per pass, 373 MiB and 9 s; 15 000, 119 MiB and 26 s; through the
 * CLI (yargs and the rest loaded too) 10 000, 120 MiB and 38 s. Each pass scans the whole
 * ledger text and parses only its own rows.
 */
const ROWS_PER_PASS = 10_000;
/** `exec` and `results` lines name an Execution, not a row (and results may hold any JSON). */
const EXECUTION_LINES = ['{"t":"exec"', '{"t":"results"'];

/**
 * The lines of a chunk of ledger text, looked into without cutting them out: a pass over a
 * million-line ledger makes strings only of the lines it parses.
 */
function* scanLines(text: string): Generator<{ start: number; end: number; row: number | undefined; sid: string | undefined }> {
  for (let start = 0, end = text.indexOf("\n"); end !== -1; start = end + 1, end = text.indexOf("\n", start)) {
    if (EXECUTION_LINES.some((prefix) => text.startsWith(prefix, start))) {
      const at = text.indexOf('"sid":"', start);
      const close = at === -1 || at > end ? -1 : text.indexOf('"', at + 7);
      yield { start, end, row: undefined, sid: close === -1 ? undefined : text.slice(at + 7, close) };
      continue;
    }
    // Every other line is a row's or a contact's, with its "row" field near the start.
    const at = text.indexOf('"row":', start);
    let row: number | undefined;
    if (at !== -1 && at < end) {
      row = 0;
      for (let i = at + 6; i < end; i++) {
        const digit = text.charCodeAt(i) - 48;
        if (digit < 0 || digit > 9) break;
        row = row * 10 + digit;
      }
    }
    yield { start, end, row, sid: undefined };
  }
}

/**
 * Fold ledgers (one, or the shards of one campaign) into report rows, by CSV row. Results
 * columns are the campaign's `results`, else the flow's questions as the preflight recorded
 * them in the ledger: no network call.
 *
 * Memory follows `rowsPerPass`, not the campaign: a first pass finds the highest row and the
 * flow's questions; then each pass over the ledgers parses only the lines of its range of rows
 * (found by their `"row":N` field, unparsed) and the `exec`/`results` lines of the Executions
 * those rows created, and yields the range sorted.
 */
export async function buildReport(
  ledgers: LedgerStore[],
  options: { results?: ResultsColumn[] | undefined; rowsPerPass?: number } = {},
): Promise<Report> {
  let maxRow = 0;
  let flow: FlowChecked | undefined;
  for (const ledger of ledgers) {
    if (ledger.reportFacts) {
      const facts = await ledger.reportFacts();
      maxRow = Math.max(maxRow, facts.maxRow);
      if (facts.flowLine !== undefined) flow = JSON.parse(facts.flowLine) as FlowChecked;
      continue;
    }
    for await (const text of ledger.text()) {
      for (const line of scanLines(text)) {
        if (line.row !== undefined) maxRow = Math.max(maxRow, line.row);
        else if (text.startsWith('{"t":"flow"', line.start)) flow = JSON.parse(text.slice(line.start, line.end)) as FlowChecked;
      }
    }
  }
  const columns = resultsColumns(options.results, flow?.questions);
  return { resultsColumns: columns, flow, chunks: rowRanges(ledgers, columns, maxRow, options.rowsPerPass ?? ROWS_PER_PASS) };
}

async function* rowRanges(
  ledgers: LedgerStore[],
  columns: ResultsColumn[],
  maxRow: number,
  rowsPerPass: number,
): AsyncGenerator<ReportRow[]> {
  for (let low = 1; low <= maxRow; low += rowsPerPass) {
    const high = low + rowsPerPass;
    const byContact = new Map<string, ReportRow>();
    const byRow = new Map<number, ReportRow>();
    const executionStatus = new Map<string, "active" | "ended">();
    const resultsBySid = new Map<string, Record<string, unknown>>();
    const outcomeBySid = new Map<string, RecordedOutcome>();
    const sidsInRange = new Set<string>();
    for (const ledger of ledgers) {
      for await (const text of ledger.rangeText?.(low, high) ?? ledger.text()) {
        for (const line of scanLines(text)) {
          if (line.row !== undefined) {
            if (line.row < low || line.row >= high) continue;
            const event = JSON.parse(text.slice(line.start, line.end)) as Exclude<LedgerEvent, { t: "flow" | "results" }>;
            if ((event.t === "created" || event.t === "adopted") && event.sid) sidsInRange.add(event.sid);
            applyToReport(event, byContact, byRow, executionStatus);
            continue;
          }
          // An Execution's later states and results follow its creation in the same ledger.
          if (line.sid === undefined || !sidsInRange.has(line.sid)) continue;
          const event = JSON.parse(text.slice(line.start, line.end)) as LedgerEvent;
          if (event.t === "exec") executionStatus.set(event.sid, event.status);
          else if (event.t === "results") {
            resultsBySid.set(event.sid, { ...resultsBySid.get(event.sid), ...event.values });
            if (event.outcome) outcomeBySid.set(event.sid, event.outcome);
          }
        }
      }
    }
    const rows = [...byRow.values(), ...byContact.values()];
    for (const row of rows) {
      const status = executionStatus.get(row.execution_sid);
      if (status) row.execution_status = status;
      const values = row.execution_sid ? resultsBySid.get(row.execution_sid) : undefined;
      row.results = columns.map((column) => resultCell(values?.[column.path]));
      const outcome = row.execution_sid ? outcomeBySid.get(row.execution_sid) : undefined;
      if (outcome) {
        Object.assign(row, { outcome: outcome.outcome, outcome_widget: outcome.widget, outcome_error_code: outcome.errorCode });
        if (outcome.answeredAt) row.answered_at = outcome.answeredAt;
      }
    }
    yield rows.sort((a, b) => a.row - b.row);
  }
}

function applyToReport(
  event: Exclude<LedgerEvent, { t: "flow" | "results" }>,
  byContact: Map<string, ReportRow>,
  byRow: Map<number, ReportRow>,
  executionStatus: Map<string, "active" | "ended">,
): void {
  if (event.t === "campaign") return;
  if (event.t === "exec") {
    executionStatus.set(event.sid, event.status);
    return;
  }
  if (event.t === "row") {
    byRow.set(event.row, {
      ...blankRow(event.row, event.to, event.from, event.status),
      error_message: event.reason,
      last_event_at: event.at,
    });
    return;
  }
  const key = unitKey(event);
  let row = byContact.get(key);
  if (!row) byContact.set(key, (row = blankRow(event.row, event.to, event.from, "pending")));
  row.row = event.row;
  row.last_event_at = event.at;
  switch (event.t) {
    case "attempt":
      row.attempts = Math.max(row.attempts, event.n);
      row.first_attempt_at ||= event.at;
      return;
    case "created":
    case "adopted":
      Object.assign(row, { status: "created", execution_sid: event.sid, error_code: null, error_message: "" });
      if (event.t === "created") row.http_status = event.http;
      if (event.t === "adopted" && event.via === "conflict") row.conflict_action = "adopted";
      return;
    case "conflict":
      Object.assign(row, { http_status: 409, error_code: event.code, conflicting_execution_sid: event.sid, conflict_action: event.action });
      if (event.action === "skipped") row.status = "conflict_skipped";
      return;
    case "failed":
      Object.assign(row, { http_status: event.http, error_code: event.code, error_message: event.message });
      if (event.final) row.status = "failed";
      return;
    case "in_doubt":
      row.error_message = `outcome unknown: ${event.message}`;
      return;
    case "expired":
      Object.assign(row, {
        status: "expired",
        error_message: `its deadline (notAfter ${event.deadline}) passed before it was sent: never sent`,
      });
      return;
    case "opted_out":
      Object.assign(row, { status: "opted_out", error_message: "on the opt-out list: never sent" });
      return;
    case "cleared":
    case "withdrawn":
      return;
  }
}

function blankRow(row: number, to: string, from: string, status: RowStatus): ReportRow {
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
  yield csvLine([...REPORT_COLUMNS, ...report.resultsColumns.map((c) => c.name), ...(report.followUpColumns ?? [])]);
  for await (const rows of report.chunks) {
    onRows?.(rows.length);
    let text = "";
    for (const row of rows) {
      text += csvLine([...REPORT_COLUMNS.map((column) => row[column]), ...row.results, ...(row.followUps ?? [])]);
      if (text.length >= 1 << 16) {
        yield text;
        text = "";
      }
    }
    if (text) yield text;
  }
}
