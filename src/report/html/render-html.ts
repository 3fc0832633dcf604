import { createHash } from "node:crypto";
import { OUTCOMES, type Outcome } from "../../flow/outcome.js";
import { rankAnswers } from "../../flow/answer-tally.js";
import { ROW_STATUSES } from "../../ledger/row-status.js";
import type { CampaignSummary, QuestionSummary, WaveSummary } from "../campaign-summary.js";
import type { ReminderCounts, ReminderSummary } from "../reminder-days.js";
import type { IntentCounts, IntentSummary } from "../reply-intents.js";
import { escapeHtml } from "./escape.js";
import { barChart, bucketize, bucketName, clock, formatCount, timeChart, type Bar } from "./svg-charts.js";

/** What the page says of the campaign itself (from the campaign file and the ledger). */
export interface CampaignFacts {
  name: string;
  flowSid: string;
  /** The published revision the last preflight recorded. */
  revision: number | undefined;
  from: string;
  /** The send window in words, or undefined for none. */
  window: string | undefined;
  perSecond: number;
  generatedAt: number;
  /** The zone times are shown in, with their offset (the window's, else UTC; docs/reference.md §17). */
  zone: string;
  /** What one row is: a survey's contact, a standing campaign's reminder. */
  unit: "contact" | "reminder";
}

/** Answers shown per question before the long tail is grouped. */
const TOP_ANSWERS = 9;

const OUTCOME_WORDS: Record<Outcome, string> = {
  opted_out: "opted out",
  undelivered: "undelivered",
  answered: "answered",
  partial: "partial",
  no_reply: "no reply",
  sent: "sent",
  unknown: "unknown",
};

/**
 * Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), set on classes:
 * the page's one stylesheet, allowed by its hash in the Content-Security-Policy. No script at all.
 */
const STYLE = `
:root{--ink:#1d2330;--muted:#5b6475;--line:#e3e6ec;--bg:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:32px 24px 64px}
h1{font-size:28px;margin:0 0 4px}
h2{font-size:19px;margin:0 0 12px}
h3{font-size:15px;margin:16px 0 4px}
.sub{color:var(--muted);margin:0 0 24px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:20px 24px;margin:0 0 20px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:20px}
.grid section{margin:0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0}
table{border-collapse:collapse;width:100%;margin-top:8px}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:13px}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.note{color:var(--muted);font-size:13px;margin:4px 0 0}
svg.chart{max-width:100%;height:auto;display:block;margin-top:8px}
svg .label,svg .value,svg .tick{font:12px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:var(--ink)}
svg .value{font-variant-numeric:tabular-nums}
svg .tick{fill:var(--muted)}
svg .axis{stroke:#9aa3b2;stroke-width:1}
svg .limit{stroke:#d55e00;stroke-width:1.5;stroke-dasharray:6 4}
svg .limit-label{fill:#d55e00}
.c-0,.c-time{fill:#0072b2}
.c-answered{fill:#009e73}.c-partial{fill:#56b4e9}.c-no_reply{fill:#e69f00}.c-sent{fill:#0072b2}
.c-undelivered{fill:#d55e00}.c-opted_out{fill:#cc79a7}.c-unknown{fill:#999999}
.c-other{fill:#b8bfcc}.c-funnel{fill:#0072b2}.c-error{fill:#d55e00}
.c-created{fill:#009e73}.c-pending{fill:#e69f00}.c-failed{fill:#d55e00}.c-invalid{fill:#cc79a7}
.c-conflict_skipped,.c-duplicate,.c-suppressed,.c-excluded,.c-expired{fill:#999999}
`.trim();

const pct = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(1)} %` : "–");

/**
 * The HTML report (docs/reference.md §14): one self-contained page — inline CSS and SVG, no script, no URL
 * loaded — that reads without JavaScript. Every value from contacts or files is escaped as text.
 * Its size follows the distinct answers shown (top answers per question) and the time buckets
 * (at most 60 a chart), never the number of contacts.
 */
export function renderHtml(facts: CampaignFacts, summary: CampaignSummary): string {
  const source = summary.waves[0]!;
  const styleHash = createHash("sha256").update(STYLE).digest("base64");
  const csp = `default-src 'none'; style-src 'sha256-${styleHash}'; img-src 'none'; base-uri 'none'; form-action 'none'`;
  const body = [
    header(facts, summary),
    `<div class="grid">${funnelSection(source, facts.unit)}${statusSection(source, facts.unit)}</div>`,
    `<div class="grid">${outcomeSection(source, facts.unit)}${errorSection(summary)}</div>`,
    questionsSection(summary.questions),
    summary.reminders ? remindersSection(summary.reminders) : "",
    summary.intents ? intentsSection(summary.intents) : "",
    timeSection(facts, summary),
    summary.waves.length > 1 ? wavesSection(summary.waves) : "",
  ].join("\n");
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${csp}">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="referrer" content="no-referrer">` +
    `<title>${escapeHtml(facts.name)} — campaign report</title><style>${STYLE}</style></head>\n` +
    `<body><main>\n${body}\n</main></body></html>\n`
  );
}

function header(facts: CampaignFacts, summary: CampaignSummary): string {
  const rows: Array<[string, string]> = [
    ["Flow", `${facts.flowSid}${facts.revision !== undefined ? `, published revision ${facts.revision}` : ""}`],
    ["Sender", facts.from],
    ["Send window", facts.window ?? "none (any time)"],
    ["Rate", `${facts.perSecond} new Executions a second at most`],
    ["First send", summary.firstSendAt === undefined ? "–" : clock(summary.firstSendAt, facts.zone)],
    ["Last event", summary.lastEventAt === undefined ? "–" : clock(summary.lastEventAt, facts.zone)],
  ];
  return (
    `<header><h1>${escapeHtml(facts.name)}</h1><p class="sub">Campaign report, made ${escapeHtml(clock(facts.generatedAt, facts.zone))}</p></header>` +
    `<section><h2>The campaign</h2><dl class="facts">${rows
      .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
      .join("")}</dl></section>`
  );
}

function funnelSection(wave: WaveSummary, unit: CampaignFacts["unit"]): string {
  const f = wave.funnel;
  const steps: Array<[string, number]> = [
    [`${unit}s`, f.contacts],
    ["created", f.created],
    ["delivered", f.delivered],
    ["answered", f.answered],
  ];
  const bars: Bar[] = steps.map(([label, value]) => ({ label, value, tone: "c-funnel", note: pct(value, f.contacts) }));
  return (
    `<section><h2>Funnel</h2>${barChart({ id: "funnel", title: `${unit}s, created, delivered, answered`, bars })}` +
    `<p class="note">Delivered: the contact's phone got the flow's messages (a reply or a timeout says so). Answered: at least one question.</p></section>`
  );
}

function statusSection(wave: WaveSummary, unit: CampaignFacts["unit"]): string {
  const shown = ROW_STATUSES.filter((s) => wave.statuses[s] > 0);
  const bars = shown.map((s) => ({ label: s, value: wave.statuses[s], tone: `c-${s}`, note: pct(wave.statuses[s], wave.funnel.contacts) }));
  const title = unit === "reminder" ? "Reminders by status" : "Rows by status";
  return `<section><h2>${title}</h2>${barChart({ id: "statuses", title: title.toLowerCase(), bars })}</section>`;
}

function outcomeSection(wave: WaveSummary, unit: CampaignFacts["unit"]): string {
  const total = OUTCOMES.reduce((n, o) => n + wave.outcomes[o], 0);
  const shown = OUTCOMES.filter((o) => wave.outcomes[o] > 0);
  const bars = shown.map((o) => ({ label: OUTCOME_WORDS[o], value: wave.outcomes[o], tone: `c-${o}`, note: pct(wave.outcomes[o], total) }));
  const chart =
    total === 0
      ? `<p class="note">No outcome collected yet: run <code>results</code>.</p>`
      : barChart({ id: "outcomes", title: "outcomes", bars });
  return `<section><h2>Outcomes</h2>${chart}<p class="note">${formatCount(total)} ${unit}s with an outcome. A STOP reply counts as opted out, never as an answer.</p></section>`;
}

function errorSection(summary: CampaignSummary): string {
  if (summary.errors.length === 0)
    return `<section><h2>Undelivered messages</h2><p class="note">No message failed (or no outcome collected yet).</p></section>`;
  const bars = summary.errors.map((e) => ({ label: e.code === null ? "no code" : String(e.code), value: e.count, tone: "c-error" }));
  const rows = summary.errors
    .map(
      (e) => `<tr><td>${escapeHtml(e.code ?? "–")}</td><td>${escapeHtml(e.meaning)}</td><td class="num">${formatCount(e.count)}</td></tr>`,
    )
    .join("");
  return (
    `<section><h2>Undelivered messages by error code</h2>${barChart({ id: "errors", title: "undelivered messages by error code", bars })}` +
    `<table><thead><tr><th>Code</th><th>What it means</th><th class="num">Messages</th></tr></thead><tbody>${rows}</tbody></table></section>`
  );
}

function questionsSection(questions: readonly QuestionSummary[]): string {
  if (questions.length === 0) return "";
  const blocks = questions.map((q) => {
    const sorted = rankAnswers(q.answers);
    const top = sorted.slice(0, TOP_ANSWERS);
    const rest = sorted.slice(TOP_ANSWERS);
    const restCount = rest.reduce((n, [, c]) => n + c, 0) + q.overflow;
    const bars: Bar[] = top.map(([answer, count]) => ({ label: answer, value: count, tone: "c-0", note: pct(count, q.answered) }));
    if (restCount > 0)
      bars.push({
        label: `other (${formatCount(rest.length + (q.overflow > 0 ? 1 : 0))}${q.overflow > 0 ? "+" : ""} answers)`,
        value: restCount,
        tone: "c-other",
        note: pct(restCount, q.answered),
      });
    const chart =
      bars.length === 0
        ? `<p class="note">No answer yet.</p>`
        : barChart({ id: `answers-${q.column}`, title: `answers to ${q.column}`, bars });
    return (
      `<div class="question"><h3>${escapeHtml(q.column)}</h3>` +
      `<p class="note">${formatCount(q.answered)} answered of ${formatCount(q.surveyed)} surveyed (${pct(q.answered, q.surveyed)}); most frequent first</p>${chart}</div>`
    );
  });
  return `<section><h2>Answers</h2>${blocks.join("")}</section>`;
}

/** A table of counts: a label column, then one number column a heading. Every text escaped. */
function countsTable(first: string, head: readonly string[], rows: ReadonlyArray<[string, readonly number[]]>): string {
  const th = head.map((h) => `<th class="num">${escapeHtml(h)}</th>`).join("");
  const tr = ([label, counts]: [string, readonly number[]]) =>
    `<tr><td>${escapeHtml(label)}</td>${counts.map((n) => `<td class="num">${formatCount(n)}</td>`).join("")}</tr>`;
  return `<table><thead><tr><th>${escapeHtml(first)}</th>${th}</tr></thead><tbody>${rows.map(tr).join("")}</tbody></table>`;
}

/** Days charted at most (the latest); the table lists every day. */
const REMINDER_DAYS_CHARTED = 31;

/** A standing campaign's reminders (docs/reference.md §16): due and sent per day, and per reminder. */
function remindersSection(reminders: ReminderSummary): string {
  const head = ["Due", "Sent", "Expired", "Not sent yet", "Failed or skipped", "Cancelled"];
  const cells = (c: ReminderCounts) => [c.due, c.sent, c.expired, c.pending, c.other, c.cancelled];
  const table = (first: string, rows: Array<[string, ReminderCounts]>) =>
    countsTable(
      first,
      head,
      rows.map(([label, c]) => [label, cells(c)]),
    );
  const charted = reminders.days.slice(-REMINDER_DAYS_CHARTED);
  const bars: Bar[] = charted.map((d) => ({ label: d.day, value: d.due, tone: "c-0", note: `${formatCount(d.sent)} sent` }));
  return (
    `<section><h2>Reminders: due and sent per day</h2>` +
    `<p class="note">Each reminder counted on the day it is due (in ${escapeHtml(reminders.zone)}), with what became of it: ` +
    `sent (perhaps later, before its deadline), expired, not sent yet, failed or skipped; cancelled ones apart.</p>` +
    (bars.length > 0 ? barChart({ id: "reminders-per-day", title: "reminders due per day, with those sent", bars }) : "") +
    (reminders.days.length > charted.length
      ? `<p class="note">The latest ${charted.length} days charted; the table has them all.</p>`
      : "") +
    table(
      "Day",
      reminders.days.map((d) => [d.day, d]),
    ) +
    `<h3>By reminder</h3>${table(
      "Reminder",
      reminders.byName.map((r) => [r.name, r]),
    )}</section>`
  );
}

/** The replies' intents (docs/reference.md §19): per day they came, and per reminder. */
function intentsSection(intents: IntentSummary): string {
  const head = ["Replied", ...intents.intents.map((i) => i.replace("_", " ")), "Late"];
  const table = (first: string, rows: Array<[string, IntentCounts]>) =>
    countsTable(
      first,
      head,
      rows.map(([label, c]) => [label, [c.replied, ...c.counts, c.late]]),
    );
  if (intents.days.length === 0)
    return `<section><h2>Replies</h2><p class="note">No replies recorded yet (run <code>results</code>).</p></section>`;
  return (
    `<section><h2>Replies: intents per day and per reminder</h2>` +
    `<p class="note">Each contact's latest reply to an Execution, on the day it came (in ${escapeHtml(intents.zone)}); ` +
    `late: read from the Messages resource after the flow stopped waiting.</p>` +
    table(
      "Day",
      intents.days.map((d) => [d.day, d]),
    ) +
    `<h3>By reminder</h3>${table(
      "Reminder",
      intents.byReminder.map((r) => [r.name || "(the survey)", r]),
    )}</section>`
  );
}

function timeSection(facts: CampaignFacts, summary: CampaignSummary): string {
  const creates = bucketize(summary.createsBySecond);
  const answers = bucketize(summary.answersBySecond);
  const perBucket = facts.perSecond * (creates.bucketMs / 1000);
  const limit = {
    value: perBucket,
    label: `configured rate: ${formatCount(Math.round(perBucket * 100) / 100)} per ${bucketName(creates.bucketMs)}`,
  };
  return (
    `<div class="grid"><section><h2>Creates over time</h2><p class="note">Executions created per ${bucketName(creates.bucketMs)}</p>` +
    `${timeChart({ id: "creates", title: "creates over time", ...creates, limit, zone: facts.zone })}</section>` +
    `<section><h2>Answers over time</h2><p class="note">First answers per ${bucketName(answers.bucketMs)}</p>` +
    `${timeChart({ id: "answers-over-time", title: "answers over time", ...answers, zone: facts.zone })}</section></div>`
  );
}

function wavesSection(waves: readonly WaveSummary[]): string {
  const head = ["Wave", "Contacts", "Created", "Delivered", "Answered", ...OUTCOMES.map((o) => OUTCOME_WORDS[o])];
  const rows = waves
    .map((w) => {
      const cells = [w.funnel.contacts, w.funnel.created, w.funnel.delivered, w.funnel.answered, ...OUTCOMES.map((o) => w.outcomes[o])];
      return `<tr><td>${escapeHtml(w.name)}</td>${cells.map((c) => `<td class="num">${formatCount(c)}</td>`).join("")}</tr>`;
    })
    .join("");
  const bars = waves.map((w) => ({
    label: w.name,
    value: w.funnel.answered,
    tone: "c-answered",
    note: pct(w.funnel.answered, w.funnel.created),
  }));
  return (
    `<section><h2>Follow-up waves</h2>${barChart({ id: "waves", title: "answered by wave", bars })}` +
    `<table><thead><tr>${head.map((h, i) => `<th${i > 0 ? ' class="num"' : ""}>${escapeHtml(h)}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows}</tbody></table><p class="note">A follow-up's contacts are the source's, chosen by outcome; answered: at least one question.</p></section>`
  );
}
