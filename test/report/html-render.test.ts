import { describe, expect, it } from "vitest";
import { emptyCounts } from "../../src/ledger/row-status.js";
import type { CampaignSummary, WaveSummary } from "../../src/report/campaign-summary.js";
import { escapeHtml } from "../../src/report/html/escape.js";
import { renderHtml } from "../../src/report/html/render-html.js";
import { bucketize } from "../../src/report/html/svg-charts.js";
import { blankRow, type ReportRow } from "../../src/report/build-report.js";
import { IntentTally } from "../../src/report/reply-intents.js";

const wave = (name: string): WaveSummary => ({
  name,
  statuses: { ...emptyCounts(), created: 10 },
  outcomes: { opted_out: 1, undelivered: 1, answered: 5, partial: 1, no_reply: 2, sent: 0, unknown: 0 },
  funnel: { contacts: 10, created: 10, delivered: 9, answered: 6 },
});

function summary(answers: Array<[string, number]>, rows = 10): CampaignSummary {
  return {
    waves: [wave("survey")],
    questions: [
      { column: "comment", surveyed: rows, answered: answers.reduce((n, [, c]) => n + c, 0), answers: new Map(answers), overflow: 0 },
    ],
    errors: [{ code: 30006, meaning: "landline or unreachable carrier", count: 1 }],
    createsBySecond: new Map([[Date.UTC(2026, 10, 29, 10), rows]]),
    answersBySecond: new Map(),
    firstSendAt: Date.UTC(2026, 10, 29, 10),
    lastEventAt: Date.UTC(2026, 10, 29, 11),
  };
}

const facts = {
  name: "survey",
  flowSid: "FW1",
  revision: 3,
  from: "+15017122661",
  window: undefined,
  perSecond: 20,
  generatedAt: 0,
  zone: "UTC",
  unit: "contact" as const,
};
const bars = (html: string, chart: string) => {
  const svg = new RegExp(`<svg[^>]*data-chart="${chart}"[\\s\\S]*?</svg>`).exec(html)?.[0] ?? "";
  return [...svg.matchAll(/<text class="label"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
};

describe("renderHtml", () => {
  it("shows nine answers most frequent first and groups the long tail", () => {
    const answers: Array<[string, number]> = Array.from({ length: 15 }, (_, i) => [`answer ${i}`, 20 - i]);
    const labels = bars(renderHtml(facts, summary(answers, 300)), "answers-comment");
    expect(labels).toEqual([...answers.slice(0, 9).map(([a]) => a), "other (6 answers)"]);
  });

  it("its size follows the answers shown, not the contacts", () => {
    const answers: Array<[string, number]> = Array.from({ length: 2000 }, (_, i) => [`free text answer number ${i}`, 1]);
    const small = renderHtml(facts, summary(answers.slice(0, 20), 20)).length;
    const large = renderHtml(facts, summary(answers, 1_000_000)).length;
    expect(large - small).toBeLessThan(200); // a few more digits, nothing per contact or per hidden answer
  });

  it("shows times as people in the window's zone read them, with the offset (docs/reference.md §17)", () => {
    const html = renderHtml({ ...facts, zone: "America/Los_Angeles", generatedAt: Date.UTC(2026, 11, 5, 18) }, summary([]));
    expect(html).toContain("Campaign report, made 2026-12-05T10:00:00-08:00");
    expect(html).toContain("<dt>First send</dt><dd>2026-11-29T02:00:00-08:00</dd>");
    expect(html).toMatch(/<text class="tick"[^>]*>2026-11-29T02:00:00-08:00<\/text>/); // the creates chart's first tick
    expect(html).not.toMatch(/UTC|\.000Z/);
  });

  it("names its rows by what they are: a standing campaign's are reminders, not contacts", () => {
    const survey = renderHtml(facts, summary([]));
    const standing = renderHtml({ ...facts, unit: "reminder" }, summary([]));
    expect(bars(survey, "funnel")).toEqual(["contacts", "created", "delivered", "answered"]);
    expect(bars(standing, "funnel")).toEqual(["reminders", "created", "delivered", "answered"]);
    expect(standing).toContain("<h2>Reminders by status</h2>");
    expect(standing).toContain("10 reminders with an outcome");
    expect(standing).not.toMatch(/\bcontacts\b/);
  });

  it("escapes every value from contacts and files, and forbids scripts", () => {
    const html = renderHtml({ ...facts, name: '<script>x</script>"' }, summary([['"><img src=x onerror=alert(1)>', 3]]));
    expect(html).not.toMatch(/<script>x|<img /);
    expect(html).toContain("&lt;script&gt;x&lt;/script&gt;&quot;");
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[^']+'/);
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
  });
});

describe("bucketize: at most 60 bars, in round units", () => {
  it.each([
    [30, 1_000],
    [600, 10_000],
    [3_600, 60_000],
    [86_400, 3_600_000],
  ] as const)("%i seconds of sending → buckets of %i ms", (seconds, bucketMs) => {
    const bySecond = new Map<number, number>();
    for (let s = 0; s < seconds; s++) bySecond.set(1_700_000_000_000 + s * 1000, 1);
    const result = bucketize(bySecond);
    expect(result.bucketMs).toBe(bucketMs);
    expect(result.buckets.length).toBeLessThanOrEqual(61);
    expect(result.buckets.reduce((n, b) => n + b.count, 0)).toBe(seconds);
  });
});

describe("replies in the HTML report (docs/reference.md §19)", () => {
  const INTENTS = new Map([
    ["confirmed", ["c", "yes"]],
    ["cancel", ["x"]],
  ]);
  const row = (reminder: string, text: string, repliedAt: string, late = false): ReportRow => ({
    ...blankRow(1, "+14155552001", "+15017122661", "created"),
    reminder: { key: "A1", reminder, appointment_at: "", due_at: "" },
    reply: { text, repliedAt, late },
    results: [],
  });

  it("tallies each reply's intent on the day it came (in the campaign's zone) and per reminder; the page shows both tables", () => {
    const tally = new IntentTally(INTENTS, "America/New_York");
    for (const r of [
      row("day-before", "C", "2026-12-04T23:30:00Z"), // 18:30 in New York: the 4th
      row("day-before", "x", "2026-12-05T13:00:00Z"),
      row("two-hours", "yes!", "2026-12-05T14:00:00Z", true),
      row("two-hours", "STOP", "2026-12-05T14:05:00Z"),
      row("two-hours", "maybe", "2026-12-05T14:06:00Z"),
    ])
      tally.add(r);
    tally.add({ ...blankRow(2, "+14155552002", "+15017122661", "created"), results: [] }); // no reply: not counted
    const intents = tally.summary();
    expect(intents.intents).toEqual(["confirmed", "cancel", "ambiguous", "unrecognized", "opted_out"]);
    expect(intents.days).toEqual([
      { day: "2026-12-04", replied: 1, late: 0, counts: [1, 0, 0, 0, 0] },
      { day: "2026-12-05", replied: 4, late: 1, counts: [1, 1, 0, 1, 1] },
    ]);
    expect(intents.byReminder.map((r) => [r.name, r.replied, r.counts])).toEqual([
      ["day-before", 2, [1, 1, 0, 0, 0]],
      ["two-hours", 3, [1, 0, 0, 1, 1]],
    ]);
    const html = renderHtml(facts, { ...summary([]), intents });
    expect(html).toContain("<h2>Replies: intents per day and per reminder</h2>");
    expect(html).toContain(
      '<tr><td>2026-12-05</td><td class="num">4</td><td class="num">1</td><td class="num">1</td><td class="num">0</td><td class="num">1</td><td class="num">1</td><td class="num">1</td></tr>',
    );
    expect(html).toContain("<tr><td>two-hours</td>");
    expect(renderHtml(facts, summary([]))).not.toContain("Replies");
  });
});
