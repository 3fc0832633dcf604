import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresLedger } from "../../src/ledger/postgres/postgres-ledger.js";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { contactsCsv, makeFixture, parseCsv, phoneNumbers, runCli, startCli, UNPACED, waitForExit } from "../helpers/cli.js";
import { FLOW_SID, SIMULATOR_CREDENTIALS, childEnv } from "../helpers/env.js";
import { rerunUntilDone, runKilledAt } from "../helpers/kill.js";
import { startPostgres, type PostgresServer } from "../helpers/postgres.js";
import { surveyFlow } from "../helpers/survey.js";

/**
 * The ledger in a real PostgreSQL (docs/reference.md §15): a throwaway cluster per file (initdb + pg_ctl in a
 * temp folder; `npm test` installs Debian's postgresql when missing), no mock of the database.
 * Each test keeps its own campaigns (names) in it.
 */
let pg: PostgresServer;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  pg.stop();
});

async function setup(name: string, contacts: number, simOptions: Parameters<typeof startSimulator>[0] = {}) {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, ...simOptions });
  const f = await makeFixture(contactsCsv(phoneNumbers(contacts)), { name });
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  return { sim, f };
}

const duplicates = (sim: Simulator) => {
  const seen = new Map<string, number>();
  for (const e of sim.executions()) seen.set(e.to, (seen.get(e.to) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1);
};

// The cases at once (each its own campaign names, simulator and folder in the one cluster), but
// the crash of the cluster itself, alone after them.
describe.concurrent("the ledger in PostgreSQL", () => {
  it("a whole run: every contact once; a rerun creates nothing; report, status and results read the table", async () => {
    const { sim, f } = await setup("pg-whole", 30, { flowDefinitions: [surveyFlow()], surveyMs: 100 });
    const ledger = ["--ledger", pg.url];
    const first = await runCli(["run", f.campaignPath, "--studio-url", sim.url, ...ledger, ...UNPACED, "--json", "--no-preflight"]);
    expect(first.code, first.stderr).toBe(0);
    expect(sim.stats.created).toBe(30);
    const again = await runCli(["run", f.campaignPath, "--studio-url", sim.url, ...ledger, ...UNPACED, "--json", "--no-preflight"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).thisRun.requests).toBe(0);
    expect(JSON.parse(again.stdout).skippedFinalRows).toBe(30); // the checkpoint, kept in the database
    await new Promise((r) => setTimeout(r, 150));
    expect((await runCli(["status", f.campaignPath, "--studio-url", sim.url, ...ledger, "--json"])).code).toBe(0);
    const results = await runCli(["results", f.campaignPath, "--studio-url", sim.url, "--api-url", sim.url, ...ledger, "--json"]);
    expect(results.code, results.stderr).toBe(0);
    const report = parseCsv((await runCli(["report", f.campaignPath, ...ledger])).stdout);
    expect(report).toHaveLength(30);
    expect(report.every((r) => r.status === "created" && r.execution_status === "ended" && r.outcome !== "")).toBe(true);
    expect(duplicates(sim)).toEqual([]);
  });

  it("one run per campaign: a second exits 75 naming the holder; a holder killed with -9 frees it with its session", async () => {
    const { sim, f } = await setup("pg-lock", 5);
    const holder = new PostgresLedger(pg.url, "pg-lock");
    const held = await holder.lock();
    const refused = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--ledger", pg.url, "--no-preflight"]);
    expect(refused.code).toBe(75);
    expect(refused.stderr).toMatch(new RegExp(`is held by pid ${process.pid} on `));
    expect(sim.stats.created).toBe(0);
    await held.release();
    // A holder that dies without a word: its session ends, and the lock with it.
    const script = `
      const { PostgresLedger } = await import(${JSON.stringify(fileURLToPath(new URL("../../dist/ledger/postgres/postgres-ledger.js", import.meta.url)))});
      await new PostgresLedger(${JSON.stringify(pg.url)}, "pg-lock").lock();
      process.stdout.write("locked\\n");
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => child.stdout!.on("data", () => resolve()));
    expect((await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--ledger", pg.url, "--no-preflight"])).code).toBe(75);
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    await new Promise((r) => setTimeout(r, 300));
    const ran = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--ledger", pg.url, "--no-preflight"]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(sim.stats.created).toBe(5);
  });

  it("two shards on two processes write one ledger; one report reads it with nothing to merge", async () => {
    const { sim, f } = await setup("pg-shards", 60);
    const args = (shard: string) => [
      "run",
      f.campaignPath,
      "--studio-url",
      sim.url,
      "--ledger",
      pg.url,
      "--no-preflight",
      "--shard",
      shard,
    ];
    const [one, two] = await Promise.all([waitForExit(startCli(args("1/2"))), waitForExit(startCli(args("2/2")))]);
    expect([one.code, two.code], `${one.stderr}${two.stderr}`).toEqual([0, 0]);
    const report = parseCsv((await runCli(["report", f.campaignPath, "--ledger", pg.url])).stdout);
    expect(report).toHaveLength(60);
    expect(report.every((r) => r.status === "created")).toBe(true);
    expect(sim.executions()).toHaveLength(60);
    expect(duplicates(sim)).toEqual([]);
  });

  it("kill -9 under faults, three times: 0 contacts sent twice, 0 pending, the table holds every Execution", async () => {
    const { sim, f } = await setup("pg-crash", 40, {
      seed: 7,
      autoEndMs: 150,
      dropAfterCommitRate: 0.15,
      resetRate: 0.05,
      failRate: 0.1,
      latencyMs: 20,
    });
    const body = JSON.parse(await readFile(f.campaignPath, "utf8"));
    await writeFile(f.campaignPath, JSON.stringify({ ...body, retry: { maxAttempts: 20 } }));
    const args = [
      "run",
      f.campaignPath,
      "--studio-url",
      sim.url,
      "--ledger",
      pg.url,
      "--no-preflight",
      "--rate",
      "60",
      "--concurrency",
      "8",
      "--request-timeout",
      "500",
    ];
    // The kill point, deterministic: the simulator awaits the kill at the (3+i)-th create of each
    // run, as it arrives or once its Execution is made (before its answer leaves).
    const kills: string[] = [];
    for (let i = 0; i < 3; i++) {
      const killed = await runKilledAt(sim, args, { k: 3 + i, stage: i % 2 === 0 ? "committed" : "arrived" });
      if (killed) kills.push(killed);
    }
    const last = await rerunUntilDone(args);
    expect(kills).toHaveLength(3);
    expect(last.code, last.stderr.slice(-2000)).toBe(0);
    expect(duplicates(sim)).toEqual([]);
    const report = parseCsv((await runCli(["report", f.campaignPath, "--ledger", pg.url])).stdout);
    expect(report.filter((r) => r.status === "pending")).toEqual([]);
    expect(
      report
        .filter((r) => r.status === "created")
        .map((r) => r.execution_sid)
        .sort(),
    ).toEqual(
      sim
        .executions()
        .map((e) => e.sid)
        .sort(),
    );
  });

  it("a second campaign in the same database keeps its own rows", async () => {
    const { sim, f } = await setup("pg-first", 4);
    const second = path.join(f.dir, "second.json");
    await writeFile(second, JSON.stringify({ name: "pg-second", flowSid: FLOW_SID, from: "+15017122662", contacts: "contacts.csv" }));
    for (const file of [f.campaignPath, second])
      expect((await runCli(["run", file, "--studio-url", sim.url, "--ledger", pg.url, "--no-preflight"])).code).toBe(0);
    const reports = await Promise.all(
      [f.campaignPath, second].map(async (file) => parseCsv((await runCli(["report", file, "--ledger", pg.url])).stdout)),
    );
    expect(reports.map((r) => r.map((row) => row.from))).toEqual([Array(4).fill("+15017122661"), Array(4).fill("+15017122662")]);
  });

  it("ledger copy: a file into PostgreSQL and back, event for event; the campaign resumes from the copy with nothing sent twice", async () => {
    const { sim, f } = await setup("pg-copy", 12);
    expect((await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight"])).code).toBe(0);
    const copied = await runCli(["ledger", "copy", f.ledgerPath, pg.url]);
    expect(copied.code, copied.stderr).toBe(0);
    expect((await runCli(["ledger", "copy", f.ledgerPath, pg.url])).code).toBe(2); // never over another copy
    await writeFile(path.join(f.dir, "contacts.csv"), `${await readFile(path.join(f.dir, "contacts.csv"), "utf8")}+14155559001,new\n`);
    const resumed = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--ledger", pg.url, "--no-preflight", "--json"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).thisRun.created).toBe(1);
    const back = path.join(f.dir, "back.ledger.jsonl");
    expect((await runCli(["ledger", "copy", pg.url, back, "--campaign", "pg-copy"])).code).toBe(0);
    const original = (await readFile(f.ledgerPath, "utf8")).trim().split("\n");
    const roundTrip = (await readFile(back, "utf8")).trim().split("\n");
    expect(roundTrip.slice(0, original.length)).toEqual(original);
    expect(roundTrip.length).toBeGreaterThan(original.length); // and the resumed run's events
    const fromBack = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--ledger", back, "--no-preflight", "--json"]);
    expect(JSON.parse(fromBack.stdout).thisRun.requests).toBe(0);
    expect(sim.executions()).toHaveLength(13);
    expect(duplicates(sim)).toEqual([]);
  });

  it("the password comes from the environment only and reaches no output, DEBUG=* included", async () => {
    const { sim, f } = await setup("pg-secret", 3);
    const secret = "pg-s3cr3t-passw0rd";
    const withPassword = pg.url.replace("postgres@", `postgres:${secret}@`);
    const flag = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--ledger", withPassword, "--no-preflight"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/must not carry a password/);
    expect(flag.stderr).not.toContain(secret);
    const env = childEnv({ STUDIO_CAMPAIGN_LEDGER_URL: withPassword, DEBUG: "*" });
    const ran = await waitForExit(startCli(["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight"], { env }));
    expect(ran.code, ran.stderr).toBe(0);
    const status = await waitForExit(startCli(["report", f.campaignPath], { env }));
    const missing = await waitForExit(
      startCli(["report", f.campaignPath], {
        env: { ...env, STUDIO_CAMPAIGN_LEDGER_URL: `${withPassword}?schema=nope` },
      }),
    );
    expect(missing.code).toBe(2);
    // The opt-out list is the table in that database (docs/reference.md §12): named without the password too.
    const optOuts = await waitForExit(startCli(["opt-outs", f.campaignPath, "--add", "+14155550199"], { env }));
    expect(optOuts.code, optOuts.stderr).toBe(0);
    expect(optOuts.stderr).toMatch(/postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres \(opt_outs\): 1 entry added/);
    for (const output of [ran, status, missing, optOuts]) expect(`${output.stdout}${output.stderr}`).not.toContain(secret);
    expect(parseCsv(status.stdout)).toHaveLength(3);
  });

  it("a standing campaign on PostgreSQL: ticks send each due reminder once, an unchanged tick reads nothing, a re-export cancels", async () => {
    const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, autoEndMs: 1 });
    const hour = 3_600_000;
    const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);
    const now = Date.now();
    const rows = (keys: string[]) =>
      `appointment_id,to,appointment_at,first_name\n${keys.map((k, i) => `${k},+1415555${4000 + i},${local(now + (i < 3 ? 1.5 : 30) * hour)},Pat`).join("\n")}\n`;
    const f = await makeFixture(rows(["P0", "P1", "P2", "P3", "P4"]), {
      name: "pg-standing",
      schedule: { key: "appointment_id", at: "appointment_at", reminders: [{ name: "two-hours", before: "2h" }] },
      window: { timezone: "UTC", start: "00:00", end: "24:00" },
    });
    cleanups.push(
      () => sim.close(),
      () => f.cleanup(),
    );
    const tick = () => runCli(["run", f.campaignPath, "--studio-url", sim.url, "--ledger", pg.url, "--json"]);
    const first = await tick();
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).schedule).toMatchObject({ due: 3, sent: 3, later: 2 });
    const second = JSON.parse((await tick()).stdout);
    expect(second.schedule).toMatchObject({ unchanged: true, later: 2 });
    // The booking system re-exports without P4 and P3, the only appointments with reminders to come:
    // past schedule.maxCancel (docs/reference.md §17), held, until the operator accepts it.
    await writeFile(path.join(f.dir, "contacts.csv"), rows(["P0", "P1", "P2"]));
    const held = await tick();
    expect(held.code).toBe(75);
    const heldSummary = JSON.parse(held.stdout);
    expect(heldSummary.schedule).toMatchObject({ due: 0, sent: 0, cancelled: 0 });
    expect(heldSummary.stopMessage).toContain("the export lost 2 of 2 appointments with reminders to come since the last tick");
    const accepted = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--ledger", pg.url, "--json", "--accept-cancel"]);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(JSON.parse(accepted.stdout).schedule).toMatchObject({ due: 0, sent: 0, cancelled: 2 });
    const third = JSON.parse((await tick()).stdout);
    expect(third.schedule).toMatchObject({ due: 0, sent: 0, cancelled: 2 });
    expect(
      sim
        .executions()
        .map((e) => e.parameters?.appointment_id)
        .sort(),
    ).toEqual(["P0", "P1", "P2"]);
    const report = parseCsv((await runCli(["report", f.campaignPath, "--ledger", pg.url])).stdout);
    expect(report.map((r) => `${r.key} ${r.status}`)).toEqual(["P0 created", "P1 created", "P2 created", "P3 cancelled", "P4 cancelled"]);
  });
});

describe("the ledger in PostgreSQL when the server crashes", () => {
  it("PostgreSQL crashed mid-run: every create that left had its attempt committed, the rest stays pending, exit 75; the next run finishes, none twice", async () => {
    const { sim, f } = await setup("pg-restart", 80);
    const child = startCli(["run", f.campaignPath, "--studio-url", sim.url, "--ledger", pg.url, "--no-preflight", "--rate", "20"]);
    // Deterministic: the server crashes (pg_ctl stop -m immediate) inside the 10th create, before
    // it is answered; every create that reaches the simulator is noted.
    const arrived: string[] = [];
    let crashed = false;
    sim.configure({
      onCreate: (event) => {
        if (event.stage !== "arrived") return;
        arrived.push(event.to);
        if (arrived.length === 10) {
          pg.crash();
          crashed = true;
        }
      },
    });
    const stopped = await waitForExit(child);
    sim.configure({ onCreate: undefined });
    pg.start();
    expect(crashed).toBe(true);
    expect(stopped.code, stopped.stderr).toBe(75);
    expect(`${stopped.stdout}${stopped.stderr}`).toMatch(/pg-restart.*could not be (written|read|locked|opened)|ledger could not/);
    expect(arrived.length).toBeLessThan(80);
    // Where the guarantee is enforced: an attempt is committed before its request leaves, so every
    // create that reached Studio — before the crash or on its way then — has its attempt in the
    // ledger the crash left behind; none left after a commit failed.
    const attempted = new Set<string>();
    for await (const batch of new PostgresLedger(pg.url, "pg-restart").batches())
      for (const event of batch) if (event.t === "attempt") attempted.add(event.to);
    expect(arrived.filter((to) => !attempted.has(to))).toEqual([]);
    const rerun = await runCli([
      "run",
      f.campaignPath,
      "--studio-url",
      sim.url,
      "--ledger",
      pg.url,
      "--no-preflight",
      "--request-timeout",
      "500",
      "--rate",
      "100", // the rest at once: what is checked is that none is sent twice, not the pace
    ]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(sim.executions()).toHaveLength(80);
    expect(duplicates(sim)).toEqual([]);
  });
});
