/**
 * `npm run bench`: self-contained against the simulator on loopback. Prints a table and writes
 * BENCHMARKS.md. Not part of `npm test`. BENCH_RUNS (default 3) sets the runs per figure.
 */
import { createWriteStream } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
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
  note({ measure: `at the limit, ${latencyMs} ms latency: achieved / configured rate`, figure: ratio.toFixed(3), goal: "≥ 0.98", met: ratio >= 0.98 });
  note({ measure: `at the limit, ${latencyMs} ms latency: creates answered 429`, figure: `${(share * 100).toFixed(2)} %`, goal: "≤ 0.5 %", met: share <= 0.005 });
  note({
    measure: `at the limit, ${latencyMs} ms latency: max arrivals in any 1 s window (worst of ${RUNS} runs; retries included)`,
    figure: String(Math.max(...windows)),
    goal: "reported (50 = never over)",
    met: undefined,
  });
}

/** 2. Overhead against the official SDK: no rate limit, no latency, 5 000 creates each. */
async function againstTheSdk(): Promise<void> {
  const count = 5000;
  const ours = { rate: [] as number[], cpu: [] as number[] };
  const sdk = { rate: [] as number[], cpu: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    let sim = await startSimulator({ rate: 0 });
    const dir = path.join(WORK, `sdk-${run}`);
    const file = await campaign(dir, "overhead", contactsCsv(count));
    const mine = await measure([CLI_BIN, "run", file, "--studio-url", sim.url, "--rate", "100000", "--concurrency", "50", "--json"]);
    if (mine.code !== 0 || sim.stats.created !== count) throw new Error(`studio-campaign: exit ${mine.code}, ${sim.stats.created} created`);
    await sim.close();
    ours.rate.push(count / mine.wallSeconds);
    ours.cpu.push((mine.cpuSeconds / count) * 1000);
    sim = await startSimulator({ rate: 0 });
    const theirs = await measure([process.execPath, path.join(ROOT, "dist/bench/sdk-baseline.js"), sim.url, String(count), "50"]);
    if (theirs.code !== 0 || sim.stats.created !== count) throw new Error(`sdk baseline: exit ${theirs.code}, ${sim.stats.created} created`);
    await sim.close();
    sdk.rate.push(count / theirs.wallSeconds);
    sdk.cpu.push((theirs.cpuSeconds / count) * 1000);
  }
  const [ourRate, ourCpu, sdkRate, sdkCpu] = [median(ours.rate), median(ours.cpu), median(sdk.rate), median(sdk.cpu)];
  note({ measure: "5 000 creates, studio-campaign (ledger fsynced): creates/s, whole process", figure: ourRate.toFixed(0), goal: "—", met: undefined });
  note({ measure: "5 000 creates, twilio SDK + p-limit(50), no ledger: creates/s, whole process", figure: sdkRate.toFixed(0), goal: "—", met: undefined });
  note({ measure: "throughput ratio studio-campaign / SDK", figure: `${(ourRate / sdkRate).toFixed(2)}×`, goal: "≥ 3×", met: ourRate / sdkRate >= 3 });
  note({ measure: "CPU seconds per 1 000 creates: studio-campaign / SDK", figure: `${ourCpu.toFixed(3)} / ${sdkCpu.toFixed(3)} = ${(ourCpu / sdkCpu).toFixed(2)}`, goal: "≤ 0.33", met: ourCpu / sdkCpu <= 1 / 3 });
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
  for (const [label, args] of [["validate", ["validate", file]], ["run --dry-run", ["run", file, "--dry-run"]]] as const) {
    const rss: number[] = [];
    const wall: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const result = await measure([CLI_BIN, ...args], "/dev/null");
      if (result.code !== 0) throw new Error(`${label} exited ${result.code}`);
      rss.push(result.maxRssKib / 1024);
      wall.push(result.wallSeconds);
    }
    note({ measure: `${label}, 1 000 000 rows: peak RSS (wall ${median(wall).toFixed(1)} s)`, figure: `${median(rss).toFixed(0)} MiB`, goal: "≤ 100 MB", met: median(rss) * 1.048576 <= 100 });
  }
  const ledger = createWriteStream(path.join(dir, "million.ledger.jsonl"));
  ledger.write(`${JSON.stringify({ t: "campaign", v: 1, name: "million", flowSid: FLOW, from: "+15017122661", account: BENCH_ENV.TWILIO_ACCOUNT_SID, at: new Date().toISOString() })}\n`);
  const at = new Date().toISOString();
  for (let i = 0; i < 999_999; i++) {
    const event = { t: "created", row: i + 1, to: `+1415${2000000 + i}`, from: "+15017122661", sid: `FN${i.toString(16).padStart(32, "0")}`, http: 201, at };
    if (!ledger.write(`${JSON.stringify(event)}\n`)) await once(ledger, "drain");
  }
  ledger.end();
  await once(ledger, "finish");
  const seconds: number[] = [];
  const foldRss: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const result = await measure([process.execPath, ...binNodeFlags(), path.join(ROOT, "dist/bench/measure-resume.js"), path.join(dir, "million.ledger.jsonl")]);
    seconds.push(JSON.parse(result.stdout).seconds);
    foldRss.push(result.maxRssKib / 1024);
  }
  note({ measure: "resume: fold a 1 000 000-line ledger", figure: `${median(seconds).toFixed(2)} s`, goal: "≤ 2 s", met: median(seconds) <= 2 });
  note({ measure: "resume: peak RSS of that fold (1 000 000 contacts' state)", figure: `${median(foldRss).toFixed(0)} MiB`, goal: "reported", met: undefined });
}

async function main(): Promise<void> {
  await rm(WORK, { recursive: true, force: true });
  process.stdout.write(`studio-campaign bench: ${RUNS} run(s) per figure, medians; Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}\n`);
  await atTheLimit(30);
  await atTheLimit(300);
  await againstTheSdk();
  await atScale();
  await writeFile(path.join(ROOT, "BENCHMARKS.md"), benchmarksMd());
  await rm(WORK, { recursive: true, force: true });
  process.stdout.write("BENCHMARKS.md written.\n");
}

function benchmarksMd(): string {
  const table = rows.map((r) => `| ${r.measure} | ${r.figure} | ${r.goal} | ${r.met === undefined ? "" : r.met ? "met" : "**missed**"} |`).join("\n");
  return `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()}.
Medians of ${RUNS} runs; every figure is a whole child process measured with GNU time against the bundled
simulator on loopback (the simulator runs in the bench's own process). The CLI is run as its bin file,
with the Node flags of its shebang line (\`--max-semi-space-size=1\`).

| measure | figure | goal | |
|---|---|---|---|
${table}

## Where goals are missed, and why (profiled with \`node --cpu-prof\`, 2026-11-28)

- **Against the SDK (0.79× its throughput, 1.37× its CPU per create).** The goal assumed our
  process would do less work per create than the SDK's; it does more, by design. Before any
  create leaves, its attempt line is on disk (JSON + \`write\` + \`fdatasync\`, group-committed),
  and its outcome line follows; every row passes libphonenumber-js validation twice (a
  read-only preview pass for totals and input errors, then the run); every create goes
  through Bottleneck's scheduler and the 1-second window gate. The SDK script has no ledger, no
  validation and p-limit only. A CPU profile of 5 000 creates (2.55 s sampled): garbage
  collection 30% (the 1 MB semi-space that keeps the RSS goal within reach costs ~10% CPU
  here against Node's default), Bottleneck 16% (its babel-compiled async events, locks and
  promises, per job), ledger writes and syncs 7%, undici 7%, libphonenumber-js 4%, module
  loading 4%, csv-parse 2%. The profile showed two real defects, both fixed: Bottleneck's
  local datastore yields with \`setTimeout(0)\` — a 1 ms clamp several times per job — which
  capped any local limiter at ~440 jobs/s (0.14× the SDK before the patch), and a
  \`Promise.race\` over every job in flight for each contact read. Tried and not kept: a patch
  to skip Bottleneck's listener-less events (~7% CPU, within run-to-run noise; not worth a
  second patch on a dependency for a figure that stays far from 3×). What remains is the price
  of durability and of the chosen stack; at the real limit (20–100 creates/s per account) it
  is under 6% of one core.
- **Peak RSS over 1 000 000 rows (114–115 MiB for ≤ 100 MB).** Node itself is 41 MB, and
  yargs, libphonenumber-js and csv-parse add 21 MB before the first row (measured by loading
  each module alone); the duplicate table is 16 MB (1 M E.164 numbers as doubles); the rest is
  heap headroom. Rows are never held. Done: the sending stack (undici, Bottleneck, ioredis,
  ~35 MB) is loaded only for a real run, the bin runs Node with a 1 MB semi-space (176 → 116 MiB),
  \`--dry-run\` respects stdout backpressure (616 → 116 MiB into a pipe), and the key set became
  a Float64Array table (395 → 191 MB). Reaching 100 MB would take capping the old space,
  which would also cap a real run's ledger state: not worth a crash on a large campaign.

## Fixed on the way to these figures

- **Resume under the bin's own flags.** The fold was first measured without the shebang's
  \`--max-semi-space-size=1\` (1.61 s); under it, the reader's 1 MB chunks were each parsed into
  a batch larger than the 1 MB semi-space, every batch was promoted as garbage, and a
  1 000 000-line fold took 2.2–2.8 s and peaked at 600 MB. Chunks are now 64 KB: 1.60 s and
  292 MiB under the bin's flags, which the bench now uses for the fold too.
`;
}

await main();
