import { errorMeaning, OUTCOMES, type Outcome } from "../flow/outcome.js";
import { AnswerTally } from "../flow/answer-tally.js";
import { ROW_STATUSES, type RowStatus } from "../ledger/row-status.js";
import type { Report, ReportRow } from "./build-report.js";
import { ReminderTally, type ReminderSummary } from "./reminder-days.js";
import { IntentTally, type IntentSummary } from "./reply-intents.js";

/** Distinct answers tallied per question at most: free text from a million contacts stays bounded (the rest are counted as "other"). */
const MAX_DISTINCT_ANSWERS = 50_000;

/** What the HTML report shows of one wave (the campaign, or a follow-up): counts, never rows. */
export interface WaveSummary {
  name: string;
  /** Rows by status; for a follow-up, its contacts (rows it reached). */
  statuses: Record<RowStatus, number>;
  outcomes: Record<Outcome, number>;
  /** contacts → created → delivered → answered (some or every question). */
  funnel: { contacts: number; created: number; delivered: number; answered: number };
}

export interface QuestionSummary {
  column: string;
  /** Contacts whose outcome is known (the survey reached them); a later question may have been asked of fewer. */
  surveyed: number;
  answered: number;
  /** Every distinct answer (regardless of case, shown as first written) with its count, up to MAX_DISTINCT_ANSWERS; beyond, in `overflow`. */
  answers: Map<string, number>;
  overflow: number;
}

export interface CampaignSummary {
  waves: WaveSummary[];
  questions: QuestionSummary[];
  /** Undelivered messages (and 21610 refusals) by code, most first. */
  errors: Array<{ code: number | null; meaning: string; count: number }>;
  /** Creates and first answers by second (ms of the second's start → count). */
  createsBySecond: Map<number, number>;
  answersBySecond: Map<number, number>;
  firstSendAt: number | undefined;
  lastEventAt: number | undefined;
  /** A standing campaign's reminders per day and per reminder (docs/reference.md §16). */
  reminders?: ReminderSummary | undefined;
  /** A campaign with `replies`: the replies' intents per day and per reminder (docs/reference.md §19). */
  intents?: IntentSummary | undefined;
}

const emptyStatuses = () => Object.fromEntries(ROW_STATUSES.map((s) => [s, 0])) as Record<RowStatus, number>;
const emptyOutcomes = () => Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;

/** Delivered: the contact's phone got the flow's messages (a keyword opt-out was a reply to one; a 21610 refusal was not). */
function isDelivered(outcome: Outcome | "", errorCode: number | null): boolean {
  if (outcome === "opted_out") return errorCode === null;
  return outcome === "answered" || outcome === "partial" || outcome === "no_reply" || outcome === "sent";
}

class WaveTally {
  readonly summary: WaveSummary;

  constructor(name: string) {
    this.summary = {
      name,
      statuses: emptyStatuses(),
      outcomes: emptyOutcomes(),
      funnel: { contacts: 0, created: 0, delivered: 0, answered: 0 },
    };
  }

  add(status: RowStatus, outcome: Outcome | "", errorCode: number | null): void {
    const { statuses, outcomes, funnel } = this.summary;
    statuses[status]++;
    funnel.contacts++;
    if (status !== "created") return;
    funnel.created++;
    if (outcome !== "") outcomes[outcome]++;
    if (isDelivered(outcome, errorCode)) funnel.delivered++;
    if (outcome === "answered" || outcome === "partial") funnel.answered++;
  }
}

/**
 * One pass over a report's rows (a range at a time, as the CSV report reads them): counts by
 * status and outcome, the funnel, each question's answers, error codes, and creates and answers
 * by second. Memory follows the distinct answers and the seconds sent in, never the rows.
 */
export async function summarizeReport(report: Report, options: { name: string; zone: string | undefined }): Promise<CampaignSummary> {
  const source = new WaveTally(options.name);
  const reminders = report.reminderColumns ? new ReminderTally(options.zone) : undefined;
  const intents = report.intents ? new IntentTally(report.intents, options.zone) : undefined;
  const followUpNames = followUpWaveNames(report);
  const followUps = followUpNames.map((n) => new WaveTally(n));
  const perFollowUp = followUpNames.length === 0 ? 0 : (report.followUpColumns?.length ?? 0) / followUpNames.length;
  const tallies = report.resultsColumns.map(() => new AnswerTally(MAX_DISTINCT_ANSWERS));
  const questions: QuestionSummary[] = report.resultsColumns.map((c, i) => ({
    column: c.name,
    surveyed: 0,
    answered: 0,
    answers: tallies[i]!.counts,
    overflow: 0,
  }));
  const errors = new Map<number | null, number>();
  const summary: CampaignSummary = {
    waves: [source.summary, ...followUps.map((f) => f.summary)],
    questions,
    errors: [],
    createsBySecond: new Map(),
    answersBySecond: new Map(),
    firstSendAt: undefined,
    lastEventAt: undefined,
  };
  for await (const rows of report.chunks) {
    for (const row of rows) {
      source.add(row.status, row.outcome, row.outcome_error_code);
      reminders?.add(row);
      intents?.add(row);
      addTimes(summary, row);
      if (row.outcome === "undelivered" || (row.outcome === "opted_out" && row.outcome_error_code !== null))
        errors.set(row.outcome_error_code, (errors.get(row.outcome_error_code) ?? 0) + 1);
      if (row.status === "created" && row.outcome !== "" && row.outcome !== "unknown") addAnswers(questions, tallies, row);
      followUps.forEach((wave, i) => {
        const [status = "", outcome = ""] = row.followUps?.slice(i * perFollowUp, i * perFollowUp + 2) ?? [];
        if (status !== "") wave.add(status as RowStatus, outcome as Outcome | "", null);
      });
    }
  }
  summary.errors = [...errors]
    .map(([code, count]) => ({ code, meaning: errorMeaning(code ?? undefined), count }))
    .sort((a, b) => b.count - a.count || (a.code ?? 0) - (b.code ?? 0));
  questions.forEach((question, i) => (question.overflow = tallies[i]!.overflow));
  if (reminders) summary.reminders = reminders.summary();
  if (intents) summary.intents = intents.summary();
  return summary;
}

/** `<name>.status` columns name the follow-up waves, in order. */
function followUpWaveNames(report: Report): string[] {
  return (report.followUpColumns ?? []).filter((c) => c.endsWith(".status")).map((c) => c.slice(0, -".status".length));
}

function addTimes(summary: CampaignSummary, row: ReportRow): void {
  const first = Date.parse(row.first_attempt_at);
  const last = Date.parse(row.last_event_at);
  if (!Number.isNaN(last)) summary.lastEventAt = Math.max(summary.lastEventAt ?? last, last);
  if (row.status === "created" && !Number.isNaN(first)) {
    summary.firstSendAt = Math.min(summary.firstSendAt ?? first, first);
    bump(summary.createsBySecond, Math.floor(first / 1000) * 1000);
  }
  const answered = row.answered_at === undefined ? NaN : Date.parse(row.answered_at);
  if (!Number.isNaN(answered)) bump(summary.answersBySecond, Math.floor(answered / 1000) * 1000);
}

function addAnswers(questions: QuestionSummary[], tallies: readonly AnswerTally[], row: ReportRow): void {
  questions.forEach((question, i) => {
    question.surveyed++;
    const answer = (row.results[i] ?? "").trim();
    if (answer === "") return;
    question.answered++;
    tallies[i]!.add(answer);
  });
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
