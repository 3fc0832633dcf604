import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inShard } from "../../src/contacts/shard.js";
import { seededRandom } from "../../src/simulator/random.js";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { makeFixture, parseCsv, runCli, type Fixture } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../helpers/env.js";
import { rerunUntilDone, runKilledAt } from "../helpers/kill.js";

/**
 * A standing campaign through the CLI (docs/reference.md §16): its file refused or its rows made invalid as
 * the contract says, `validate` and `--dry-run` showing the schedule, a cron run against the
 * simulator, and kill -9 under faults. Appointments are placed relative to the moment the test runs.
 */
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const HOUR = 3_600_000;
const local = (ms: number) => new Date(ms).toISOString().slice(0, 16); // a wall-clock time, read in the window's zone (UTC)
const SCHEDULE = { key: "appointment_id", at: "appointment_at", reminders: [{ name: "two-hours", before: "2h" }], minLead: "1h" };
const WINDOW = { timezone: "UTC", start: "00:00", end: "24:00" };

async function fixture(rows: string[], campaign: Record<string, unknown> = {}): Promise<Fixture> {
  const f = await makeFixture(`appointment_id,to,appointment_at,first_name\n${rows.join("\n")}\n`, {
    schedule: SCHEDULE,
    window: WINDOW,
    ...campaign,
  });
  cleanups.push(() => f.cleanup());
  return f;
}

async function simulator(options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, autoEndMs: 1, ...options });
  cleanups.push(() => sim.close());
  return sim;
}

describe("a standing campaign's file: refused (exit 2, naming it) or a row invalid, with its reason", () => {
  it.each([
    [
      "schedule with followUpOf",
      { followUpOf: { campaign: "x.json", outcomes: ["no_reply"], after: "1h" }, contacts: undefined },
      /"schedule" must be left out of a follow-up/,
    ],
    [
      "a reminder with both before and after",
      { schedule: { ...SCHEDULE, reminders: [{ name: "r", before: "1h", after: "1h" }] } },
      /"schedule\.reminders\[0\]" must be exactly one of before and after/,
    ],
    [
      "a reminder with neither",
      { schedule: { ...SCHEDULE, reminders: [{ name: "r" }] } },
      /"schedule\.reminders\[0\]" must be exactly one of before and after/,
    ],
    [
      "a bad duration",
      { schedule: { ...SCHEDULE, reminders: [{ name: "r", before: "2 hours" }] } },
      /"schedule\.reminders\[0\]\.before" must be a duration/,
    ],
    [
      "a bad time",
      { schedule: { ...SCHEDULE, reminders: [{ name: "r", before: "1d", time: "6pm" }] } },
      /"schedule\.reminders\[0\]\.time" must be a time "HH:MM"/,
    ],
    ["a bad minLead", { schedule: { ...SCHEDULE, minLead: "soon" } }, /"schedule\.minLead" must be a duration/],
    [
      "two reminders of one name",
      {
        schedule: {
          ...SCHEDULE,
          reminders: [
            { name: "r", before: "1h" },
            { name: "r", before: "2h" },
          ],
        },
      },
      /"schedule\.reminders\[1\]\.name" must be unique among the reminders/,
    ],
    [
      "onConflict wait without a schedule",
      { schedule: undefined, onConflict: "wait" },
      /"onConflict" must be "skip" or "end-and-retry" \("wait" is for a campaign with a schedule\)/,
    ],
    ["a static parameter named reminder", { parameters: { reminder: "x" } }, /"parameters\.reminder" must be left out/],
  ])("%s", async (_name, campaign, message) => {
    const f = await fixture([`A1,+14155551000,${local(Date.now() + 5 * HOUR)},Ann`], campaign);
    const result = await runCli(["validate", f.campaignPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it.each([
    ["the key column missing from the header", "id,to,appointment_at", /the header has no "appointment_id" column \(schedule\.key\)/],
    ["the at column missing", "appointment_id,to,when", /the header has no "appointment_at" column \(schedule\.at\)/],
    ["a parameter column named reminder", "appointment_id,to,appointment_at,reminder", /a parameter column is named "reminder"/],
  ])("%s", async (_name, header, message) => {
    const f = await makeFixture(`${header}\nA1,+14155551000,2026-12-03T10:00,x\n`, { schedule: SCHEDULE });
    cleanups.push(() => f.cleanup());
    const result = await runCli(["validate", f.campaignPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("a bad or empty cell makes its row invalid with the reason; a key seen twice, the later row a duplicate; the rest go on", async () => {
    const later = local(Date.now() + 30 * HOUR);
    const f = await fixture([
      `A1,+14155551000,${later},Ann`,
      `,+14155551001,${later},Bob`,
      `A3,+14155551002,next tuesday,Cid`,
      `A1,+14155551003,${later},Dan`,
    ]);
    const result = await runCli(["validate", f.campaignPath]);
    expect(result.code).toBe(1); // invalid rows
    expect(result.stdout).toMatch(/row 2: invalid: appointment_id: empty appointment key/);
    expect(result.stdout).toMatch(/row 3: invalid: appointment_at: not an ISO 8601 date-time: "next tuesday"/);
    expect(result.stdout).toMatch(/row 4: duplicate: the same appointment key as an earlier row/);
    expect(result.stdout).toMatch(/Schedule: 0 reminder\(s\) due now, 0 in the next 24 hours, 1 later \(rows 1\)/);
  });
});

describe("a standing campaign through the CLI", () => {
  it("validate and --dry-run show the schedule (due now, next 24 hours, later, never); a run sends what is due and exits 0", async () => {
    const now = Date.now();
    const reminders = [
      { name: "two-hours", before: "2h" },
      { name: "half-hour", before: "30m" }, // due after its deadline (minLead 1h): never sendable
    ];
    const f = await fixture(
      [
        `X1,+14155551000,${local(now + 1.5 * HOUR)},Ann`,
        `X2,+14155551001,${local(now + 5 * HOUR)},Bob`,
        `X3,+14155551002,${local(now + 72 * HOUR)},Cid`,
      ],
      { schedule: { ...SCHEDULE, reminders } },
    );
    const validate = await runCli(["validate", f.campaignPath]);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(
      /Schedule: 1 reminder\(s\) due now \(rows 1\), 3 in the next 24 hours \(rows 1, 2\), 2 later \(rows 3\); 0 cancelled/,
    );
    expect(validate.stdout).toMatch(/warning: 3 reminder\(s\) can never be sent \(rows 1, 2, 3\)/);
    const dry = await runCli(["run", f.campaignPath, "--dry-run"]);
    expect([...dry.stdout.matchAll(/^would send row (\d+): .*"reminder":"(\S+?)"/gm)].map((m) => `${m[1]} ${m[2]}`)).toEqual([
      "1 two-hours",
    ]);
    const sim = await simulator();
    const run = await runCli(["run", f.campaignPath, "--studio-url", sim.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /Reminders: 1 due, 1 sent, 0 waiting on a busy number, 0 cancelled, 0 expired; 5 later — the next due at \S+ \(1 then\)/,
    );
    expect(sim.executions().map((e) => [e.to, e.parameters?.reminder, e.parameters?.appointment_id])).toEqual([
      ["+14155551000", "two-hours", "X1"],
    ]);
    const report = parseCsv((await runCli(["report", f.campaignPath])).stdout);
    expect(Object.keys(report[0]!).slice(17, 21)).toEqual(["key", "reminder", "appointment_at", "due_at"]);
    expect(report.map((r) => `${r.row} ${r.key} ${r.reminder} ${r.status}`)).toEqual([
      "1 X1 two-hours created",
      "1 X1 half-hour pending",
      "2 X2 two-hours pending",
      "2 X2 half-hour pending",
      "3 X3 two-hours pending",
      "3 X3 half-hour pending",
    ]);
  });
});

describe("validate and run agree on the exit code for the same file (docs/reference.md §7)", () => {
  it("a survey: 1 while an invalid row is unrecorded, 0 for both once a run recorded it", async () => {
    const f = await makeFixture("to,first_name\n+14155551000,Ann\nnot-a-number,Bob\n");
    cleanups.push(() => f.cleanup());
    const sim = await simulator();
    const codes = [];
    for (const argv of [["validate"], ["run", "--studio-url", sim.url], ["validate"], ["run", "--studio-url", sim.url]])
      codes.push((await runCli([argv[0]!, f.campaignPath, ...argv.slice(1)])).code);
    expect(codes).toEqual([1, 1, 0, 0]);
  });

  it("a standing campaign: 1 on every tick while its export holds an invalid appointment, idle ticks too", async () => {
    const f = await fixture([`A1,+14155551000,${local(Date.now() + 30 * HOUR)},Ann`, `A2,+14155551001,next tuesday,Bob`]);
    const sim = await simulator();
    const codes = [];
    for (const argv of [["validate"], ["run", "--studio-url", sim.url], ["run", "--studio-url", sim.url], ["validate"]])
      codes.push((await runCli([argv[0]!, f.campaignPath, ...argv.slice(1)])).code);
    expect(codes).toEqual([1, 1, 1, 1]);
  });
});

describe("what if: --at plans as a run at T would, and creates nothing (docs/reference.md §17)", () => {
  it("validate --at and run --dry-run --at see the day-before reminder due at T; nothing is created; --at alone on run is exit 2", async () => {
    const visit = Date.now() + 72 * HOUR;
    const f = await fixture([`A1,+14155551000,${local(visit)},Ann`], {
      schedule: { ...SCHEDULE, reminders: [{ name: "day-before", before: "1d", within: "12h" }] },
    });
    const at = new Date(visit - 20 * HOUR).toISOString();
    const now = await runCli(["validate", f.campaignPath]);
    expect(now.stdout).toMatch(/Schedule: 0 reminder\(s\) due now/);
    const validate = await runCli(["validate", f.campaignPath, "--at", at]);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(/Schedule: 1 reminder\(s\) due now \(rows 1\)/);
    const dry = await runCli(["run", f.campaignPath, "--dry-run", "--at", at]);
    expect(dry.stdout).toMatch(/^would send row 1: To \+14155551000 .*"reminder":"day-before"/m);
    // Past the reminder's deadline (12 h after it was due): expired, not sent.
    const late = await runCli(["run", f.campaignPath, "--dry-run", "--at", new Date(visit - 6 * HOUR).toISOString(), "--json"]);
    expect(JSON.parse(late.stdout)).toMatchObject({ toSend: 0, counts: { expired: 1 } });
    const sim = await simulator();
    const real = await runCli(["run", f.campaignPath, "--at", at, "--studio-url", sim.url]);
    expect(real.code).toBe(2);
    expect(real.stderr).toMatch(/--at .* use it with --dry-run/);
    expect(sim.executions()).toEqual([]);
    const noOffset = await runCli(["validate", f.campaignPath, "--at", "2026-12-04T18:00"]);
    expect([noOffset.code, noOffset.stderr]).toEqual([2, expect.stringMatching(/--at must be an ISO 8601 date-time with an offset/)]);
  });
});

describe("a standing campaign's shards and daily cap, per reminder", () => {
  it("shards by appointment key: each shard sends the due reminders of its own keys, every one once; the merged report has them all", async () => {
    const now = Date.now();
    const keys = Array.from({ length: 20 }, (_, i) => `S${i}`);
    const f = await fixture(keys.map((key, i) => `${key},+1415555${2000 + i},${local(now + 1.5 * HOUR)},Pat`));
    const sim = await simulator();
    const ledger = (k: number) => path.join(f.dir, `shard-${k}.ledger.jsonl`);
    const sentBy: string[][] = [];
    for (const k of [1, 2]) {
      const before = sim.executions().length;
      const run = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--shard", `${k}/2`, "--ledger", ledger(k)]);
      expect(run.code, run.stderr).toBe(0);
      sentBy.push(
        sim
          .executions()
          .slice(before)
          .map((e) => String(e.parameters?.appointment_id)),
      );
    }
    for (const [i, sent] of sentBy.entries())
      expect(sent.sort()).toEqual(keys.filter((key) => inShard(key, { index: i + 1, count: 2 })).sort());
    expect(sentBy.every((sent) => sent.length > 0)).toBe(true);
    const report = parseCsv((await runCli(["report", f.campaignPath, "--ledger", ledger(1), "--ledger", ledger(2)])).stdout);
    expect(report.map((r) => `${r.key} ${r.status}`).sort()).toEqual(keys.map((key) => `${key} created`).sort());
  });

  it("the daily cap counts reminders: past it, the due ones wait (exit 75, naming the next day) and go the next day", async () => {
    const now = Date.now();
    const f = await fixture(
      Array.from({ length: 5 }, (_, i) => `C${i},+1415555${3000 + i},${local(now + 1.5 * HOUR)},Pat`),
      { rate: { maxPerDay: 3 } },
    );
    const sim = await simulator();
    const run = await runCli(["run", f.campaignPath, "--studio-url", sim.url]);
    expect(run.code, run.stderr).toBe(75);
    expect(run.stdout + run.stderr).toMatch(/daily cap reached: rate\.maxPerDay 3/);
    expect(sim.executions()).toHaveLength(3);
    const report = parseCsv((await runCli(["report", f.campaignPath])).stdout);
    expect(report.map((r) => r.status).sort()).toEqual(["created", "created", "created", "pending", "pending"]);
  });
});

describe("crash safety of a standing campaign", () => {
  it("kill -9 twice under dropped responses and resets: every due reminder once, none lost, none twice", async () => {
    const now = Date.now();
    const rows = Array.from({ length: 30 }, (_, i) => `K${i},+1415555${String(3000 + i)},${local(now + 1.5 * HOUR)},P${i}`);
    const f = await fixture(rows, { retry: { maxAttempts: 20 } });
    const sim = await simulator({ seed: 5, dropAfterCommitRate: 0.15, resetRate: 0.05, failRate: 0.05, latencyMs: 20 });
    const args = [
      "run",
      f.campaignPath,
      "--studio-url",
      sim.url,
      "--rate",
      "60",
      "--concurrency",
      "6",
      "--request-timeout",
      "500",
      "--no-preflight",
    ];
    const random = seededRandom(9);
    const kills: string[] = [];
    for (let i = 0; i < 2; i++) {
      const killed = await runKilledAt(sim, args, { k: 3 + Math.floor(random() * 4), stage: i === 0 ? "committed" : "arrived" });
      if (killed) kills.push(killed);
    }
    const last = await rerunUntilDone(args);
    expect(kills).toHaveLength(2);
    expect(last.code, last.stderr.slice(-1500)).toBe(0);
    const perKey = new Map<string, number>();
    for (const e of sim.executions())
      perKey.set(String(e.parameters?.appointment_id), (perKey.get(String(e.parameters?.appointment_id)) ?? 0) + 1);
    expect([...perKey.values()].filter((n) => n > 1)).toEqual([]);
    expect(perKey.size).toBe(30);
    const report = parseCsv((await runCli(["report", f.campaignPath])).stdout);
    expect(report.filter((r) => r.status === "created")).toHaveLength(30);
    expect(new Set(report.map((r) => r.execution_sid))).toEqual(new Set(sim.executions().map((e) => e.sid)));
  });
});
