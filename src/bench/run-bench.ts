/**
 * `npm run bench`: self-contained against the simulator on loopback. Prints a table and writes
 * BENCHMARKS.md. Not part of `npm test`. BENCH_RUNS (default 3) sets the runs per figure.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { loadFlowFiles } from "../simulator/flows.js";
import { startSimulator } from "../simulator/server.js";
import { maxPerWindow } from "../simulator/rate-window.js";
import { BENCH_ENV, CLI_BIN, ROOT, binNodeFlags, contactsCsv, measure, median } from "./bench-tools.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WORK = path.join(ROOT, ".bench");
const FLOW = "FW0123456789abcdef0123456789abcdef";

interface Row {
  measure: string;
  figure: string;
  goal: string;
  met: boolean | undefined;
}
const rows: Row[] = [];
const note = (row: Row) => {
  rows.push(row);
  process.stdout.write(`${row.met === undefined ? "  " : row.met ? "ok" : "!!"}  ${row.measure}: ${row.figure}  (goal ${row.goal})\n`);
};

async function campaign(dir: string, name: string, csv: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${name}.csv`), csv);
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify({ name, flowSid: FLOW, from: "+15017122661", contacts: `${name}.csv` }));
  return file;
}

/** `run` with nothing to pace it (the SDK comparison, the PostgreSQL ledger, results): 50 in flight. */
function flatOut(file: string, studioUrl: string, extra: string[] = []): string[] {
  return [CLI_BIN, "run", file, "--studio-url", studioUrl, "--rate", "100000", "--concurrency", "50", ...extra, "--json"];
}

/** 1. At the limit: 1 000 contacts at --rate 50 against a strict 50/s simulator. */
async function atTheLimit(latencyMs: number): Promise<void> {
  const ratios: number[] = [];
  const shares429: number[] = [];
  const windows: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const sim = await startSimulator({ rate: 50, latencyMs, seed: run + 1 });
    const dir = path.join(WORK, `limit-${latencyMs}-${run}`);
    const file = await campaign(dir, "limit", contactsCsv(1000));
    const result = await measure([CLI_BIN, "run", file, "--studio-url", sim.url, "--rate", "50", "--concurrency", "30", "--json"]);
    const arrivals = sim.stats.createArrivals;
    const accepted = sim.stats.createTimes;
    await sim.close();
    if (result.code !== 0) throw new Error(`run exited ${result.code}`);
    const seconds = ((accepted.at(-1) ?? 0) - (accepted[0] ?? 0)) / 1000;
    ratios.push((accepted.length - 1) / seconds / 50);
    shares429.push(sim.stats.rateLimited / arrivals.length);
    windows.push(maxPerWindow(arrivals));
  }
  const ratio = median(ratios);
  const share = median(shares429);
  note({
    measure: `at the limit, ${latencyMs} ms latency: achieved / configured rate`,
    figure: ratio.toFixed(3),
    goal: "≥ 0.98",
    met: ratio >= 0.98,
  });
  note({
    measure: `at the limit, ${latencyMs} ms latency: creates answered 429`,
    figure: `${(share * 100).toFixed(2)} %`,
    goal: "≤ 0.5 %",
    met: share <= 0.005,
  });
  note({
    measure: `at the limit, ${latencyMs} ms latency: max arrivals in any 1 s window (worst of ${RUNS} runs; retries included)`,
    figure: String(Math.max(...windows)),
    goal: "reported (50 = never over)",
    met: undefined,
  });
}

/**
 * 2. Against the script an operator would write instead (the official SDK with p-limit): no rate
 * limit, no latency, `count` creates each, whole processes, medians of RUNS. The tool's ledger is
 * fsynced as always.
 */
async function againstTheSdk(count: number): Promise<void> {
  const ours = { rate: [] as number[], cpu: [] as number[] };
  const sdk = { rate: [] as number[], cpu: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    let sim = await startSimulator({ rate: 0 });
    const dir = path.join(WORK, `sdk-${count}-${run}`);
    const file = await campaign(dir, "overhead", contactsCsv(count));
    const mine = await measure(flatOut(file, sim.url));
    if (mine.code !== 0 || sim.stats.created !== count) throw new Error(`studio-campaign: exit ${mine.code}, ${sim.stats.created} created`);
    await sim.close();
    ours.rate.push(count / mine.wallSeconds);
    ours.cpu.push((mine.cpuSeconds / count) * 1000);
    sim = await startSimulator({ rate: 0 });
    const theirs = await measure([process.execPath, path.join(ROOT, "dist/bench/sdk-baseline.js"), sim.url, String(count), "50"]);
    if (theirs.code !== 0 || sim.stats.created !== count)
      throw new Error(`sdk baseline: exit ${theirs.code}, ${sim.stats.created} created`);
    await sim.close();
    sdk.rate.push(count / theirs.wallSeconds);
    sdk.cpu.push((theirs.cpuSeconds / count) * 1000);
    await rm(dir, { recursive: true, force: true });
  }
  const [ourRate, ourCpu, sdkRate, sdkCpu] = [median(ours.rate), median(ours.cpu), median(sdk.rate), median(sdk.cpu)];
  const n = count.toLocaleString("en").replace(/,/g, " ");
  // The 5 000-create rows keep their labels (and the first goals, ≥ 3× and ≤ 0.33, set earlier);
  // later goals are rows of their own: no goal is dropped or weakened.
  const prefix = count === 5000 ? "" : `${n} creates: `;
  note({
    measure: `${n} creates, studio-campaign (ledger fsynced): creates/s, whole process`,
    figure: ourRate.toFixed(0),
    goal: "—",
    met: undefined,
  });
  note({
    measure: `${n} creates, twilio SDK + p-limit(50), no ledger: creates/s, whole process`,
    figure: sdkRate.toFixed(0),
    goal: "—",
    met: undefined,
  });
  const ratio = ourRate / sdkRate;
  const cpu = ourCpu / sdkCpu;
  const ratioFigure = `${ratio.toFixed(2)}×`;
  const cpuFigure = `${ourCpu.toFixed(3)} / ${sdkCpu.toFixed(3)} = ${cpu.toFixed(2)}`;
  if (count === 5000) {
    note({ measure: "throughput ratio studio-campaign / SDK", figure: ratioFigure, goal: "≥ 3×", met: ratio >= 3 });
    note({ measure: "CPU seconds per 1 000 creates: studio-campaign / SDK", figure: cpuFigure, goal: "≤ 0.33", met: cpu <= 1 / 3 });
  }
  note({ measure: `${prefix}throughput ratio studio-campaign / SDK (issue 24)`, figure: ratioFigure, goal: "≥ 1.5×", met: ratio >= 1.5 });
  note({
    measure: `${prefix}CPU seconds per 1 000 creates: studio-campaign / SDK (issue 24)`,
    figure: cpuFigure,
    goal: "≤ 1.0",
    met: cpu <= 1,
  });
}

/**
 * 6. Cron reruns (a rerun costs what is new): a CSV of `rows` contacts and a ledger of
 * today's format in which all but 10 are created (attempt + created lines each).
 */
async function cronReruns(rows: number, full: boolean): Promise<void> {
  const dir = path.join(WORK, `cron-${rows}`);
  const file = await cronFixture(dir, rows);
  const sim = await startSimulator({ rate: 0 });
  const runArgs = [CLI_BIN, "run", file, "--studio-url", sim.url, "--rate", "1000", "--json"];
  const label = rows === 1_000_000 ? "1 000 000" : rows.toLocaleString("en").replace(/,/g, " ");
  const timed = timedRow(label);
  if (full) await timed("first run after the upgrade (10 left; full read, writes the checkpoint)", runArgs, { seconds: 30 });
  else await measure(runArgs, "/dev/null");
  await timed("rerun with nothing left (cron)", runArgs, { seconds: 3, mib: 150 });
  if (full) {
    const appended = Array.from({ length: 10 }, (_, i) => `+1416${2000000 + i},new${i}`).join("\n");
    await writeFile(path.join(dir, "cron.csv"), `${appended}\n`, { flag: "a" });
    const before = sim.stats.created;
    await timed("rerun with 10 appended rows", runArgs, { seconds: 5, mib: 150 });
    if (sim.stats.created - before !== 10) throw new Error(`+10 rows: ${sim.stats.created - before} created`);
    await timed("validate after a run", [CLI_BIN, "validate", file], { seconds: 5 });
    // Issue 29: a million rows within 30 s and 150 MB, on a file and on PostgreSQL.
    await timed("report --out of every row", [CLI_BIN, "report", file, "--out", path.join(dir, "report.csv")], { seconds: 30, mib: 150 });
  }
  await sim.close();
}

/** A whole process timed once, as a table row `<label> <noun>: <what>: wall, peak RSS (one run)`. */
function timedRow(label: string, noun = "contacts") {
  return async (what: string, args: string[], goal: { seconds?: number; mib?: number }) => {
    const result = await measure(args, "/dev/null");
    if (result.code !== 0 && result.code !== 1) throw new Error(`${what}: exit ${result.code}`);
    const mib = result.maxRssKib / 1024;
    const met =
      (goal.seconds === undefined || result.wallSeconds <= goal.seconds) && (goal.mib === undefined || mib * 1.048576 <= goal.mib);
    const goalText =
      [goal.seconds !== undefined ? `≤ ${goal.seconds} s` : "", goal.mib !== undefined ? `≤ ${goal.mib} MB` : ""]
        .filter(Boolean)
        .join(", ") || "reported";
    note({
      measure: `${label} ${noun}: ${what}: wall, peak RSS (one run)`,
      figure: `${result.wallSeconds.toFixed(1)} s, ${mib.toFixed(0)} MiB`,
      goal: goalText,
      met: goal.seconds === undefined && goal.mib === undefined ? undefined : met,
    });
  };
}

/**
 * 10. A standing campaign's cron ticks (docs/reference.md §16): `n` appointments 3 to 33 days ahead
 * (two reminders each), ticked as cron would — the first tick (every appointment recorded), a
 * tick on the same export, a tick after a re-export as a booking system writes one (50
 * appointments removed, 50 added, one moved, every row in another order; still nothing due), and
 * one after a re-export that brings 1 000 reminders due (sent flat out: the tool's own cost; at
 * Studio's pace add 1 000 ÷ the rate). Each figure is the median of RUNS ticks, each from the
 * same state (the campaign's directory copied back before it).
 */
async function standingTicks(n: number): Promise<void> {
  const dir = path.join(WORK, `standing-${n}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const now = Date.now();
  const exportFile = path.join(dir, "appointments.csv");
  const line = (i: number, moved: boolean, due: boolean) => {
    // Due: in 90 minutes (its two-hours reminder due now); the rest 3 to 33 days ahead.
    const at = due ? now + 90 * 60_000 : now + 3 * 86_400_000 + Math.floor(((i % n) * 30 * 86_400_000) / n) + (moved ? 3_600_000 : 0);
    return `A${i},+1415${2000000 + i},${new Date(at).toISOString().slice(0, 16)}Z,Pat${i}\n`;
  };
  const writeExport = async (rows: Array<{ i: number; moved?: boolean; due?: boolean }>) => {
    const out = createWriteStream(exportFile);
    out.write("appointment_id,to,appointment_at,first_name\n");
    for (const { i, moved, due } of rows) if (!out.write(line(i, moved ?? false, due ?? false))) await once(out, "drain");
    out.end();
    await once(out, "finish");
    // An export is written minutes before the cron tick that reads it, not in the same second.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
  };
  const first = Array.from({ length: n }, (_, i) => ({ i }));
  await writeExport(first);
  const file = path.join(dir, "standing.json");
  const schedule = {
    key: "appointment_id",
    at: "appointment_at",
    // The day-before reminder of an appointment 90 minutes ahead is past `within`: expired, not due.
    reminders: [
      { name: "day-before", before: "1d", within: "12h" },
      { name: "two-hours", before: "2h" },
    ],
  };
  await writeFile(file, JSON.stringify({ name: "standing", flowSid: FLOW, from: "+15017122661", contacts: "appointments.csv", schedule }));
  // Executions end at once: a tick run again from the same state creates the same reminders, and Studio
  // refuses a second active Execution for one number (409, onConflict wait).
  const sim = await startSimulator({ rate: 0, autoEndMs: 1 });
  const runArgs = [CLI_BIN, "run", file, "--studio-url", sim.url, "--rate", "1000", "--concurrency", "50", "--no-preflight", "--json"];
  const label = `standing, ${n.toLocaleString("en").replace(/,/g, " ")}`;
  const timed = medianRow(label, "appointments", dir, { keep: "appointments.csv" });
  const reExport = n === 100_000 ? { seconds: 1, mib: 150 } : n === 1_000_000 ? { seconds: 10, mib: 400 } : {};
  await timed("first tick (every appointment recorded; nothing due)", runArgs, n === 1_000_000 ? { seconds: 20, mib: 500 } : {});
  await timed("tick on the same export, nothing due (cron)", runArgs, n >= 100_000 ? { seconds: 0.3 } : {});
  // A re-export: 50 removed, 50 added, one moved, the rest in another order (a seeded shuffle).
  const again = [...first.slice(50).map(({ i }) => ({ i, moved: i === 100 })), ...Array.from({ length: 50 }, (_, k) => ({ i: n + k }))];
  shuffle(again);
  await writeExport(again);
  await timed("tick after a re-export (50 removed, 50 added, one moved, reordered), nothing due", runArgs, reExport);
  await writeExport(again.map((row, k) => (k < 1000 ? { ...row, due: true } : row)));
  const before = sim.stats.created;
  await timed("tick after a re-export bringing 1 000 reminders due (sent flat out)", runArgs, {});
  if ((sim.stats.created - before) % 1000 !== 0) throw new Error(`standing ${n}: ${sim.stats.created - before} created, not 1 000 a tick`);
  await sim.close();
}

/** A seeded Fisher–Yates shuffle: a re-export need not keep the order, and the bench's is the same every time. */
function shuffle<T>(rows: T[]): void {
  let seed = 1;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
}

/**
 * A whole process run RUNS times from the same state — `dir` copied aside first and back before
 * each run; after the last, the state is the run's — as a table row of medians.
 */
function medianRow(label: string, noun: string, dir: string, options: { keep?: string } = {}) {
  // The file no tick writes (the export) stays in place: a copy would be another file (inode, ctime) to the tick.
  const restored = (source: string) => path.basename(source) !== options.keep;
  return async (what: string, args: string[], goal: { seconds?: number; mib?: number }) => {
    const saved = `${dir}.before`;
    await rm(saved, { recursive: true, force: true });
    await cp(dir, saved, { recursive: true, filter: restored });
    const walls: number[] = [];
    const rss: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      if (run > 0) {
        for (const name of await readdir(dir)) if (restored(name)) await rm(path.join(dir, name), { recursive: true, force: true });
        await cp(saved, dir, { recursive: true, filter: restored });
      }
      // A cron tick comes minutes after the last: not while the kernel still writes back the state
      // just restored (hundreds of MB at a million), which doubled the unchanged tick's time.
      execFileSync("sync");
      const result = await measure(args, "/dev/null");
      if (result.code !== 0 && result.code !== 1) throw new Error(`${what}: exit ${result.code}`);
      walls.push(result.wallSeconds);
      rss.push(result.maxRssKib / 1024);
    }
    await rm(saved, { recursive: true, force: true });
    const [wall, mib] = [median(walls), median(rss)];
    const met = (goal.seconds === undefined || wall <= goal.seconds) && (goal.mib === undefined || mib * 1.048576 <= goal.mib);
    const goalText =
      [goal.seconds !== undefined ? `≤ ${goal.seconds} s` : "", goal.mib !== undefined ? `≤ ${goal.mib} MB` : ""]
        .filter(Boolean)
        .join(", ") || "reported";
    note({
      measure: `${label} ${noun}: ${what}: wall, peak RSS (median of ${RUNS})`,
      figure: `${wall.toFixed(2)} s, ${mib.toFixed(0)} MiB`,
      goal: goalText,
      met: goal.seconds === undefined && goal.mib === undefined ? undefined : met,
    });
  };
}

/** A CSV of `rows` contacts and a ledger of today's format in which all but 10 are created; returns the campaign file. */
async function cronFixture(dir: string, rows: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const csv = createWriteStream(path.join(dir, "cron.csv"));
  csv.write("to,name\n");
  for (let i = 0; i < rows; i++) if (!csv.write(`+1415${2000000 + i},n${i}\n`)) await once(csv, "drain");
  csv.end();
  await once(csv, "finish");
  const file = path.join(dir, "cron.json");
  await writeFile(file, JSON.stringify({ name: "cron", flowSid: FLOW, from: "+15017122661", contacts: "cron.csv" }));
  const ledger = createWriteStream(path.join(dir, "cron.ledger.jsonl"));
  ledger.write(
    `${JSON.stringify({ t: "campaign", v: 1, name: "cron", flowSid: FLOW, from: "+15017122661", account: BENCH_ENV.TWILIO_ACCOUNT_SID, at: new Date().toISOString() })}\n`,
  );
  const at = new Date().toISOString();
  for (let i = 0; i < rows - 10; i++) {
    const base = { row: i + 1, to: `+1415${2000000 + i}`, from: "+15017122661" };
    const lines = `${JSON.stringify({ t: "attempt", ...base, n: 1, at })}\n${JSON.stringify({ t: "created", ...base, sid: `FN${i.toString(16).padStart(32, "0")}`, http: 201, at })}\n`;
    if (!ledger.write(lines)) await once(ledger, "drain");
  }
  ledger.end();
  await once(ledger, "finish");
  return file;
}

/**
 * 9. Start-up: what a cron job pays on every run before any work, as ratios to bare
 * Node on the same machine — `--version`, and a rerun of a 1 000-contact campaign with nothing
 * left (checkpoint written by a first run). Wall and CPU, medians of 7 each.
 */
async function startUp(): Promise<void> {
  const sim = await startSimulator({ rate: 0 });
  const file = await campaign(path.join(WORK, "startup"), "startup", contactsCsv(1000));
  const runArgs = [CLI_BIN, "run", file, "--studio-url", sim.url, "--rate", "1000", "--no-preflight"];
  const first = await measure(runArgs, "/dev/null");
  if (first.code !== 0) throw new Error(`startup: first run exit ${first.code}`);
  const sample = async (command: string[]) => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 7; i++) {
      const result = await measure(command, "/dev/null");
      if (result.code !== 0) throw new Error(`${command.join(" ")}: exit ${result.code}`);
      wall.push(result.wallSeconds);
      cpu.push(result.cpuSeconds);
    }
    return { wall: median(wall), cpu: median(cpu) };
  };
  const bare = await sample([process.execPath, "-e", "0"]);
  const version = await sample([CLI_BIN, "--version"]);
  const noop = await sample(runArgs);
  await sim.close();
  const figure = (m: { wall: number; cpu: number }) =>
    `${m.wall.toFixed(2)} s wall (${(m.wall / bare.wall).toFixed(1)}×), ${m.cpu.toFixed(2)} s CPU (${(m.cpu / bare.cpu).toFixed(1)}×)`;
  note({
    measure: "start-up: bare node -e 0",
    figure: `${bare.wall.toFixed(2)} s wall, ${bare.cpu.toFixed(2)} s CPU`,
    goal: "reference",
    met: undefined,
  });
  note({
    measure: "start-up: studio-campaign --version, to bare Node",
    figure: figure(version),
    goal: "≤ 2×",
    met: version.wall / bare.wall <= 2 && version.cpu / bare.cpu <= 2,
  });
  note({
    measure: "start-up: cron rerun with nothing to do, 1 000 contacts, to bare Node",
    figure: figure(noop),
    goal: "≤ 4×",
    met: noop.wall / bare.wall <= 4 && noop.cpu / bare.cpu <= 4,
  });
}

/**
 * 8. The ledger in PostgreSQL, against a throwaway local cluster: creates per second
 * with every attempt committed (`synchronous_commit` on) beside the file's fsync, and the cron
 * figures at 1 000 000 contacts — the file ledger copied in with `ledger copy`.
 */
async function postgresLedger(): Promise<void> {
  const { startPostgres } = await import("./throwaway-postgres.js");
  const pg = await startPostgres();
  try {
    const count = 5000;
    const rates = { file: [] as number[], pg: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      for (const kind of ["file", "pg"] as const) {
        const sim = await startSimulator({ rate: 0 });
        const file = await campaign(path.join(WORK, `pg-${kind}-${run}`), `durable-${kind}-${run}`, contactsCsv(count));
        const ledger = kind === "pg" ? ["--ledger", pg.url] : [];
        const result = await measure(flatOut(file, sim.url, ledger));
        await sim.close();
        if (result.code !== 0 || sim.stats.created !== count) throw new Error(`${kind}: exit ${result.code}, ${sim.stats.created} created`);
        rates[kind].push(count / result.wallSeconds);
      }
    }
    const [fileRate, pgRate] = [median(rates.file), median(rates.pg)];
    note({
      measure: "5 000 creates, ledger fsynced to a file: creates/s, whole process",
      figure: fileRate.toFixed(0),
      goal: "—",
      met: undefined,
    });
    note({
      measure: "5 000 creates, ledger committed to PostgreSQL (synchronous_commit on, local server): creates/s, whole process",
      figure: `${pgRate.toFixed(0)} (${(pgRate / fileRate).toFixed(2)}× the file's)`,
      goal: "reported",
      met: undefined,
    });
    const dir = path.join(WORK, "pg-cron");
    const file = await cronFixture(dir, 1_000_000);
    const timed = timedRow("1 000 000");
    await timed(
      "ledger copy of the file into PostgreSQL (2 000 000 events)",
      [CLI_BIN, "ledger", "copy", path.join(dir, "cron.ledger.jsonl"), pg.url],
      {},
    );
    const sim = await startSimulator({ rate: 0 });
    const runArgs = [CLI_BIN, "run", file, "--studio-url", sim.url, "--rate", "1000", "--ledger", pg.url, "--json"];
    await timed("PostgreSQL ledger: first run (10 left; reads every event, writes the checkpoint)", runArgs, {});
    await timed("PostgreSQL ledger: rerun with nothing left (cron)", runArgs, { seconds: 3, mib: 150 });
    await timed(
      "PostgreSQL ledger: report --out of every row",
      [CLI_BIN, "report", file, "--ledger", pg.url, "--out", path.join(dir, "report.csv")],
      { seconds: 30, mib: 150 },
    );
    await sim.close();
  } finally {
    pg.stop();
  }
}

/**
 * 7. The HTML report of 1 000 000 contacts: a ledger in which every contact was
 * created and surveyed — outcomes, first-answer times, a rating among 6 answers and a comment
 * among 100 000 distinct ones — then `report --html`. Its size must follow the answers shown.
 */
async function htmlReportAtScale(): Promise<void> {
  const rows = 1_000_000;
  const dir = path.join(WORK, "html");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, "html.json");
  await writeFile(path.join(dir, "html.csv"), "to\n");
  await writeFile(file, JSON.stringify({ name: "html", flowSid: FLOW, from: "+15017122661", contacts: "html.csv" }));
  const ledger = createWriteStream(path.join(dir, "html.ledger.jsonl"));
  const start = Date.parse("2026-11-29T10:00:00Z");
  const iso = (ms: number) => new Date(ms).toISOString();
  ledger.write(
    `${JSON.stringify({ t: "campaign", v: 1, name: "html", flowSid: FLOW, from: "+15017122661", account: BENCH_ENV.TWILIO_ACCOUNT_SID, at: iso(start) })}\n` +
      `${JSON.stringify({ t: "flow", sid: FLOW, revision: 3, questions: ["ask_rating", "ask_comment"], at: iso(start) })}\n`,
  );
  const outcomes = ["answered", "answered", "partial", "no_reply", "no_reply", "undelivered", "opted_out", "answered"] as const;
  for (let i = 0; i < rows; i++) {
    const at = start + Math.floor(i / 20) * 1000; // 20 creates a second
    const base = { row: i + 1, to: `+1415${2000000 + i}`, from: "+15017122661" };
    const sid = `FN${i.toString(16).padStart(32, "0")}`;
    const outcome = outcomes[i % outcomes.length]!;
    const answered = outcome === "answered" || outcome === "partial";
    const values = {
      "widgets.ask_rating.inbound.Body": answered ? String(1 + (i % 6)) : null,
      "widgets.ask_comment.inbound.Body": outcome === "answered" ? `comment number ${i % 100_000}` : null,
    };
    const recorded = {
      outcome,
      widget: "ask_rating",
      errorCode: outcome === "undelivered" ? 30006 : null,
      ...(answered ? { answeredAt: iso(at + 60_000) } : {}),
    };
    const lines =
      `${JSON.stringify({ t: "attempt", ...base, n: 1, at: iso(at) })}\n` +
      `${JSON.stringify({ t: "created", ...base, sid, http: 201, at: iso(at) })}\n` +
      `${JSON.stringify({ t: "exec", sid, status: "ended", at: iso(at + 3_600_000) })}\n` +
      `${JSON.stringify({ t: "results", sid, values, final: true, outcome: recorded, at: iso(at + 3_600_000) })}\n`;
    if (!ledger.write(lines)) await once(ledger, "drain");
  }
  ledger.end();
  await once(ledger, "finish");
  const page = path.join(dir, "report.html");
  const result = await measure([CLI_BIN, "report", file, "--html", page], "/dev/null");
  if (result.code !== 0) throw new Error(`report --html exited ${result.code}`);
  const size = (await readFile(page)).length;
  note({
    measure: "1 000 000 contacts: report --html: wall, peak RSS, page size (one run)",
    figure: `${result.wallSeconds.toFixed(1)} s, ${(result.maxRssKib / 1024).toFixed(0)} MiB, ${(size / 1024).toFixed(0)} KiB`,
    goal: "reported (the page's size follows the answers shown)",
    met: undefined,
  });
}

/** 5. N workers sharing one account's 20/s through Redis, each on its own shard. */
async function workersOnOneAccount(workers: number, latencyMs: number): Promise<void> {
  const { spawn } = await import("node:child_process");
  const contacts = 400;
  const ratios: number[] = [];
  const per1000: number[] = [];
  const windows: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const redisPort = 26379 + run;
    const redis = spawn("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    await new Promise((r) => setTimeout(r, 300));
    const sim = await startSimulator({ rate: 20, latencyMs, seed: run + 1 });
    const dir = path.join(WORK, `workers-${workers}-${latencyMs}-${run}`);
    const file = await campaign(dir, "workers", contactsCsv(contacts));
    const results = await Promise.all(
      Array.from({ length: workers }, (_, k) =>
        measure([
          CLI_BIN,
          "run",
          file,
          "--studio-url",
          sim.url,
          "--rate",
          "20",
          "--concurrency",
          "10",
          "--redis",
          `redis://127.0.0.1:${redisPort}`,
          "--shard",
          `${k + 1}/${workers}`,
          "--ledger",
          path.join(dir, `shard-${k + 1}.jsonl`),
          "--json",
        ]),
      ),
    );
    const accepted = [...sim.stats.createTimes].sort((a, b) => a - b);
    const arrivals = sim.stats.createArrivals;
    await sim.close();
    redis.kill("SIGKILL");
    if (results.some((r) => r.code !== 0) || accepted.length !== contacts)
      throw new Error(`workers bench: exits ${results.map((r) => r.code).join(",")}, ${accepted.length} created`);
    ratios.push((accepted.length - 1) / ((accepted.at(-1)! - accepted[0]!) / 1000) / 20);
    per1000.push((sim.stats.rateLimited / contacts) * 1000);
    windows.push(maxPerWindow(arrivals));
  }
  const label = `${workers} workers on one Redis, strict 20/s, ${latencyMs} ms latency`;
  note({ measure: `${label}: combined / account rate`, figure: median(ratios).toFixed(3), goal: "≥ 0.97", met: median(ratios) >= 0.97 });
  const total429 = per1000.reduce((sum, n) => sum + (n * contacts) / 1000, 0);
  note({
    measure: `${label}: 429s from the strict server, all ${RUNS} runs together`,
    figure: String(Math.round(total429)),
    goal: "0",
    met: total429 === 0,
  });
  note({
    measure: `${label}: max arrivals in any 1 s window (worst of ${RUNS} runs; retries included)`,
    figure: String(Math.max(...windows)),
    goal: "≤ 20",
    met: Math.max(...windows) <= 20,
  });
}

/**
 * 4. Results: 10 000 ended Executions at 100 ms latency, default concurrency (10), with the
 * outcomes of docs/reference.md §12: 10 % of first messages fail, 10 % of replies are STOP.
 */
async function resultsAtScale(): Promise<void> {
  const count = 10_000;
  const flow = { ...loadFlowFiles([path.join(ROOT, "campaigns/demo-survey-flow.json")])[0]!, sid: FLOW };
  const wall: number[] = [];
  const rss: number[] = [];
  const byKind: Array<{ list: number; context: number; steps: number; message: number; failures: number }> = [];
  const again: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const sim = await startSimulator({
      rate: 0,
      flowDefinitions: [flow],
      surveyMs: 0,
      replyRate: 0.6,
      undeliveredRate: 0.1,
      optOutRate: 0.1,
      seed: run + 1,
    });
    const dir = path.join(WORK, `results-${run}`);
    const lines = ["to,first_name,appointment_at", ...Array.from({ length: count }, (_, i) => `+1415${2000000 + i},n${i},2026-12-01`)];
    const file = await campaign(dir, "results", `${lines.join("\n")}\n`);
    const sent = await measure(flatOut(file, sim.url));
    if (sent.code !== 0 || sim.stats.created !== count)
      throw new Error(`results bench: run exited ${sent.code}, ${sim.stats.created} created`);
    sim.configure({ latencyMs: 100 });
    const urls = ["--studio-url", sim.url, "--api-url", sim.url];
    const before = { ...sim.stats.requests };
    const result = await measure([CLI_BIN, "results", file, ...urls, "--json"]);
    if (result.code !== 0 || sim.stats.requests.context - before.context !== count) throw new Error(`results exited ${result.code}`);
    wall.push(result.wallSeconds);
    rss.push(result.maxRssKib / 1024);
    const summary = JSON.parse(result.stdout) as { outcomes: { errors: Array<{ count: number }> } };
    byKind.push({
      list: sim.stats.requests.list - before.list,
      context: sim.stats.requests.context - before.context,
      steps: sim.stats.requests.steps - before.steps,
      message: sim.stats.requests.message - before.message,
      failures: summary.outcomes.errors.reduce((n, e) => n + e.count, 0),
    });
    const total = (r: typeof sim.stats.requests) => r.list + r.context + r.steps + r.message + r.flow;
    const beforeSecond = total(sim.stats.requests);
    const second = await measure([CLI_BIN, "results", file, ...urls, "--json"]);
    if (second.code !== 0) throw new Error(`second results exited ${second.code}`);
    again.push(total(sim.stats.requests) - beforeSecond);
    await sim.close();
  }
  const kinds = byKind[Math.floor(byKind.length / 2)]!;
  const all = kinds.list + kinds.context + kinds.steps + kinds.message;
  note({
    measure: "results, 10 000 ended Executions, 100 ms latency, concurrency 10: wall",
    figure: `${median(wall).toFixed(1)} s`,
    goal: "reported",
    met: undefined,
  });
  note({
    measure: "results, 10 000 ended Executions: requests by kind (List pages / Context / Steps / Message)",
    figure: `${kinds.list} / ${kinds.context} / ${kinds.steps} / ${kinds.message} = ${all}`,
    goal: `≤ 1 Context and 1 Steps each, 1 Message per failure (${kinds.failures})`,
    met: byKind.every((k) => k.context <= count && k.steps <= count && k.message <= k.failures),
  });
  note({
    measure: "results, 10 000 ended Executions: share of Message fetches",
    figure: `${((kinds.message / all) * 100).toFixed(1)} % of requests (${kinds.message} for ${kinds.failures} failed messages)`,
    goal: "reported",
    met: undefined,
  });
  note({
    measure: "results, 10 000 ended Executions: peak RSS",
    figure: `${median(rss).toFixed(0)} MiB`,
    goal: "reported",
    met: undefined,
  });
  note({
    measure: "results again on the same campaign: requests of any kind",
    figure: String(Math.max(...again)),
    goal: "0",
    met: Math.max(...again) === 0,
  });
}

/** 3. Scale: a 1 000 000-row CSV, and a 1 000 000-line ledger. */
async function atScale(): Promise<void> {
  const dir = path.join(WORK, "scale");
  await mkdir(dir, { recursive: true });
  const csv = createWriteStream(path.join(dir, "million.csv"));
  csv.write("to,name\n");
  for (let i = 0; i < 1_000_000; i++) if (!csv.write(`+1415${2000000 + i},n${i}\n`)) await once(csv, "drain");
  csv.end();
  await once(csv, "finish");
  const file = path.join(dir, "million.json");
  await writeFile(file, JSON.stringify({ name: "million", flowSid: FLOW, from: "+15017122661", contacts: "million.csv" }));
  for (const [label, args] of [
    ["validate", ["validate", file]],
    ["run --dry-run", ["run", file, "--dry-run"]],
  ] as const) {
    const rss: number[] = [];
    const wall: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const result = await measure([CLI_BIN, ...args], "/dev/null");
      if (result.code !== 0) throw new Error(`${label} exited ${result.code}`);
      rss.push(result.maxRssKib / 1024);
      wall.push(result.wallSeconds);
    }
    note({
      // The label names the measure only: a figure in it would make each run a new row.
      measure: `${label}, 1 000 000 rows: peak RSS, wall`,
      figure: `${median(rss).toFixed(0)} MiB, ${median(wall).toFixed(1)} s`,
      goal: "≤ 100 MB",
      met: median(rss) * 1.048576 <= 100,
    });
  }
  const ledger = createWriteStream(path.join(dir, "million.ledger.jsonl"));
  ledger.write(
    `${JSON.stringify({ t: "campaign", v: 1, name: "million", flowSid: FLOW, from: "+15017122661", account: BENCH_ENV.TWILIO_ACCOUNT_SID, at: new Date().toISOString() })}\n`,
  );
  const at = new Date().toISOString();
  for (let i = 0; i < 999_999; i++) {
    const event = {
      t: "created",
      row: i + 1,
      to: `+1415${2000000 + i}`,
      from: "+15017122661",
      sid: `FN${i.toString(16).padStart(32, "0")}`,
      http: 201,
      at,
    };
    if (!ledger.write(`${JSON.stringify(event)}\n`)) await once(ledger, "drain");
  }
  ledger.end();
  await once(ledger, "finish");
  const seconds: number[] = [];
  const foldRss: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const result = await measure([
      process.execPath,
      ...binNodeFlags(),
      path.join(ROOT, "dist/bench/measure-resume.js"),
      path.join(dir, "million.ledger.jsonl"),
    ]);
    seconds.push(JSON.parse(result.stdout).seconds);
    foldRss.push(result.maxRssKib / 1024);
  }
  note({
    measure: "resume: fold a 1 000 000-line ledger",
    figure: `${median(seconds).toFixed(2)} s`,
    goal: "≤ 2 s",
    met: median(seconds) <= 2,
  });
  note({
    measure: "resume: peak RSS of that fold (1 000 000 contacts' state)",
    figure: `${median(foldRss).toFixed(0)} MiB`,
    goal: "reported",
    met: undefined,
  });
}

async function main(): Promise<void> {
  await rm(WORK, { recursive: true, force: true });
  process.stdout.write(
    `studio-campaign bench: ${RUNS} run(s) per figure, medians; Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}\n`,
  );
  const only = process.env.BENCH_ONLY?.split(",");
  const wanted = (section: string) => only === undefined || only.includes(section);
  if (wanted("limit")) await atTheLimit(30);
  if (wanted("limit")) await atTheLimit(300);
  if (wanted("sdk")) await againstTheSdk(5000);
  if (wanted("sdk50k")) await againstTheSdk(50_000);
  if (wanted("scale")) await atScale();
  if (wanted("results")) await resultsAtScale();
  for (const workers of [2, 4]) for (const latency of [30, 300]) if (wanted("workers")) await workersOnOneAccount(workers, latency);
  if (wanted("cron")) {
    await cronReruns(100_000, false);
    await cronReruns(1_000_000, true);
  }
  if (wanted("standing")) for (const n of [10_000, 100_000, 1_000_000]) await standingTicks(n);
  if (wanted("html")) await htmlReportAtScale();
  if (wanted("postgres")) await postgresLedger();
  if (wanted("startup")) await startUp();
  const file = path.join(ROOT, "BENCHMARKS.md");
  await writeFile(file, withGeneratedTable(await readFile(file, "utf8").catch(() => ""), rows));
  await rm(WORK, { recursive: true, force: true });
  process.stdout.write("BENCHMARKS.md written.\n");
}

const START = "<!-- generated by npm run bench: measured figures only; edit the prose outside these markers -->";
const END = "<!-- end of generated figures -->";

/**
 * Replace the generated part of BENCHMARKS.md, keeping the hand-written prose around it. Rows
 * of sections not run this time (BENCH_ONLY) are kept as they were, with their own dates.
 */
function withGeneratedTable(existing: string, measured: Row[]): string {
  const date = new Date().toISOString().slice(0, 10);
  const kept = new Map<string, string>();
  const startAt = existing.indexOf(START);
  const endAt = existing.indexOf(END);
  if (startAt >= 0 && endAt > startAt) {
    for (const line of existing.slice(startAt, endAt).split("\n")) {
      const cells = line.split(" | ");
      if (line.startsWith("| ") && cells.length >= 5 && !line.startsWith("| measure") && !line.startsWith("|---"))
        kept.set(cells[0]!.slice(2), line);
    }
  }
  for (const r of measured)
    kept.set(
      r.measure,
      `| ${r.measure} | ${r.figure} | ${r.goal} | ${r.met === undefined ? "" : r.met ? "met" : "**missed**"} | ${date} |`,
    );
  const machine = `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()}; medians of ${RUNS} runs.`;
  const table = [
    START,
    "",
    machine,
    "",
    "| measure | figure | goal | | measured |",
    "|---|---|---|---|---|",
    ...kept.values(),
    "",
    END,
  ].join("\n");
  if (startAt >= 0 && endAt > startAt) return existing.slice(0, startAt) + table + existing.slice(endAt + END.length);
  return `# Benchmarks\n\n${table}\n`;
}

await main();
