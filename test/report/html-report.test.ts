import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimulatedFlow } from "../../src/simulator/flows.js";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { makeFixture, parseCsv, phoneNumbers, runCli, UNPACED, type Fixture } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../helpers/env.js";
import { surveyFlow } from "../helpers/survey.js";

/**
 * The HTML report in a real browser: Debian's headless Chromium (`npm test` installs it when
 * missing, as it does redis-server; a missing browser fails here, never skips), driven by
 * playwright-core, which brings no browser of its own.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// As this machine's probe runs it: no sandbox as root, and none of Chromium's background traffic.
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const MARKUP = "<img src=x onerror=alert(1)>";
const SCRIPT = "<script>alert(1)</script>";
const cleanups: Array<() => Promise<void>> = [];
let browser: Browser;
let sim: Simulator;
let f: Fixture;
let page: string;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const flow: SimulatedFlow = {
    ...surveyFlow(),
    replies: { ask_rating: ["5", "4", "4", "3"], ask_comment: [MARKUP, SCRIPT, "Shorter waits", "Shorter waits", "javascript:alert(1)"] },
  };
  sim = await startSimulator({
    credentials: SIMULATOR_CREDENTIALS,
    rate: 0,
    flowDefinitions: [flow],
    replyRate: 0.8,
    undeliveredRate: 0.15,
    optOutRate: 0.1,
    surveyMs: 150,
    seed: 5,
  });
  const csv = `to,first_name,appointment_at\n${phoneNumbers(60)
    .map((p, i) => `${p},"Ann ""<b>${i}</b>""",2026-12-01`)
    .join("\n")}\n`;
  f = await makeFixture(csv, {
    name: "survey-<b>q4</b>".replace(/[<>/]/g, "_"),
    columns: { parameters: ["first_name", "appointment_at"] },
  });
  cleanups.push(
    () => browser.close(),
    () => sim.close(),
    () => f.cleanup(),
  );
  expect((await runCli(["run", f.campaignPath, "--studio-url", sim.url, ...UNPACED])).code).toBe(0);
  await new Promise((r) => setTimeout(r, 250));
  expect((await runCli(["results", f.campaignPath, "--studio-url", sim.url, "--api-url", sim.url])).code).toBe(0);
  page = path.join(f.dir, "report.html");
  const made = await runCli(["report", f.campaignPath, "--html", page]);
  expect(made.code, made.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Open the page; every console message, page error and request on the way. */
async function open(options: { javaScriptEnabled?: boolean } = {}) {
  const context = await browser.newContext({ javaScriptEnabled: options.javaScriptEnabled ?? true });
  const tab = await context.newPage();
  const console: string[] = [];
  const requests: string[] = [];
  tab.on("console", (m) => console.push(`${m.type()}: ${m.text()}`));
  tab.on("pageerror", (e) => console.push(`pageerror: ${e.message}`));
  tab.on("request", (r) => requests.push(r.url()));
  await tab.goto(pathToFileURL(page).href, { waitUntil: "load" });
  cleanups.push(() => context.close());
  return { tab, console, requests };
}

describe("the HTML report in headless Chromium (docs/reference.md §14)", () => {
  it("loads with no console error and no request but the page itself; one file, mode 0600, no script", async () => {
    const { tab, console, requests } = await open();
    expect(console).toEqual([]);
    expect(requests).toEqual([pathToFileURL(page).href]);
    expect((await stat(page)).mode & 0o777).toBe(0o600);
    expect(await tab.locator("script, img, iframe, object, embed, link, a[href]").count()).toBe(0);
    const csp = await tab.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/script-src/); // default-src 'none' forbids scripts
    // A string: the test is compiled without the DOM's types.
    const handlers = await tab.evaluate(
      `[...document.querySelectorAll("*")].flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith("on")).map((a) => a.name))`,
    );
    expect(handlers).toEqual([]);
  });

  it("holds the answers as text: a reply of markup or script creates no element and shows as its characters", async () => {
    const { tab } = await open();
    const labels = await tab.locator('svg[data-chart="answers-ask_comment"] text.label').allTextContents();
    expect(labels).toContain(MARKUP);
    expect(labels).toContain(SCRIPT);
    expect(labels).toContain("Shorter waits");
    const titles = await tab.locator('svg[data-chart="answers-ask_comment"] title').allTextContents();
    expect(titles.some((t) => t.startsWith(`${SCRIPT}: `))).toBe(true);
    const html = await readFile(page, "utf8");
    expect(html).not.toContain(MARKUP);
    expect(html).not.toContain("<script");
    // Without JavaScript the page reads the same.
    const off = await open({ javaScriptEnabled: false });
    expect(await off.tab.locator('svg[data-chart="answers-ask_comment"] text.label').allTextContents()).toEqual(labels);
  });

  it("draws the right bars with the right labels: outcomes, statuses, funnel, each question's answers most frequent first", async () => {
    const report = parseCsv((await runCli(["report", f.campaignPath])).stdout);
    const { tab } = await open();
    const bars = async (chart: string) => ({
      labels: await tab.locator(`svg[data-chart="${chart}"] text.label`).allTextContents(),
      count: await tab.locator(`svg[data-chart="${chart}"] rect.bar`).count(),
      values: (await tab.locator(`svg[data-chart="${chart}"] text.value`).allTextContents()).map((v) =>
        Number(v.split(" ")[0]!.replace(/,/g, "")),
      ),
    });
    const words: Record<string, string> = { opted_out: "opted out", no_reply: "no reply" };
    const order = ["opted_out", "undelivered", "answered", "partial", "no_reply", "sent", "unknown"];
    const outcomes = order.map((o) => [words[o] ?? o, report.filter((r) => r.outcome === o).length] as const).filter(([, n]) => n > 0);
    expect(outcomes.length).toBeGreaterThanOrEqual(4);
    expect(await bars("outcomes")).toEqual({
      labels: outcomes.map(([o]) => o),
      count: outcomes.length,
      values: outcomes.map(([, n]) => n),
    });
    const created = report.filter((r) => r.status === "created").length;
    expect((await bars("funnel")).values).toEqual([
      report.length,
      created,
      report.filter(
        (r) => ["answered", "partial", "no_reply", "sent"].includes(r.outcome!) || (r.outcome === "opted_out" && !r.outcome_error_code),
      ).length,
      report.filter((r) => r.outcome === "answered" || r.outcome === "partial").length,
    ]);
    const tally = new Map<string, number>();
    for (const r of report)
      if (r.ask_comment) tally.set(r.ask_comment.replace(/^'/, ""), (tally.get(r.ask_comment.replace(/^'/, "")) ?? 0) + 1);
    const answers = await bars("answers-ask_comment");
    expect(answers.count).toBe(tally.size);
    expect(answers.values).toEqual([...tally.values()].sort((a, b) => b - a));
    expect(new Set(answers.labels)).toEqual(new Set(tally.keys()));
    const creates = await tab.locator('svg[data-chart="creates"] rect.bar').count();
    expect(creates).toBeGreaterThan(0);
    expect(await tab.locator('svg[data-chart="creates"] line.limit').count()).toBe(1);
    const errors = report.filter((r) => r.outcome === "undelivered").length;
    expect((await bars("errors")).values.reduce((a, b) => a + b, 0)).toBe(
      errors + report.filter((r) => r.outcome_error_code === "21610").length,
    );
  });
});

describe("a standing campaign's HTML report (docs/reference.md §16): due and sent per day", () => {
  it("charts each day's due reminders with those sent, as the CSV report has them, and tables them per day and per reminder", async () => {
    const hour = 3_600_000;
    const now = Date.now();
    const local = (ms: number) => new Date(ms).toISOString().slice(0, 16); // read in the window's zone, UTC
    // Appointments from 90 minutes to 4 days ahead: some reminders due now (sent), the others later.
    const csv = `appointment_id,to,appointment_at,first_name\n${phoneNumbers(12)
      .map((p, i) => `K${i},${p},${local(now + 1.5 * hour + i * 8 * hour)},Pat`)
      .join("\n")}\n`;
    const standing = await makeFixture(csv, {
      schedule: {
        key: "appointment_id",
        at: "appointment_at",
        reminders: [
          { name: "day-before", before: "1d" },
          { name: "hour", before: "1h" },
        ],
      },
      window: { timezone: "UTC", start: "00:00", end: "24:00" },
    });
    cleanups.push(() => standing.cleanup());
    const ran = await runCli(["run", standing.campaignPath, "--studio-url", sim.url]);
    expect(ran.code, JSON.stringify(ran)).toBe(0);
    const rows = parseCsv((await runCli(["report", standing.campaignPath])).stdout);
    const html = path.join(standing.dir, "report.html");
    expect((await runCli(["report", standing.campaignPath, "--html", html])).code).toBe(0);
    const byDay = new Map<string, { due: number; sent: number }>();
    for (const r of rows) {
      const day = r.due_at!.slice(0, 10);
      const counts = byDay.get(day) ?? { due: 0, sent: 0 };
      counts.due++;
      if (r.status === "created") counts.sent++;
      byDay.set(day, counts);
    }
    const days = [...byDay].sort(([a], [b]) => (a < b ? -1 : 1));
    expect(rows.filter((r) => r.status === "created").length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.status === "pending").length).toBeGreaterThan(0);
    const context = await browser.newContext({ javaScriptEnabled: false });
    cleanups.push(() => context.close());
    const tab = await context.newPage();
    await tab.goto(pathToFileURL(html).href, { waitUntil: "load" });
    // Reminders, not contacts; times with their offset (docs/reference.md §17).
    expect(await tab.locator('svg[data-chart="funnel"] text.label').allTextContents()).toEqual([
      "reminders",
      "created",
      "delivered",
      "answered",
    ]);
    expect(await tab.locator("dl.facts dt:text('First send') + dd").textContent()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    const chart = 'svg[data-chart="reminders-per-day"]';
    expect(await tab.locator(`${chart} text.label`).allTextContents()).toEqual(days.map(([day]) => day));
    expect(await tab.locator(`${chart} text.value`).allTextContents()).toEqual(days.map(([, c]) => `${c.due} (${c.sent} sent)`));
    const table = await tab
      .locator("section:has(h2:text('Reminders: due and sent per day')) table")
      .first()
      .locator("tbody tr")
      .allTextContents();
    expect(table).toHaveLength(days.length);
    const names = await tab
      .locator("section:has(h2:text('Reminders: due and sent per day')) table")
      .nth(1)
      .locator("tbody td:first-child")
      .allTextContents();
    expect(names).toEqual(["day-before", "hour"]);
  });
});
