import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCampaign } from "../../src/campaign/load-campaign.js";
import { campaignOptOutStore } from "../../src/campaign/campaign-opt-outs.js";
import type { RunEvent } from "../../src/engine/run/run-events.js";
import { systemClock } from "../../src/clock.js";
import type { OptOutEntry } from "../../src/opt-outs/opt-out-store.js";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { contactsCsv, makeFixture, parseCsv, phoneNumbers, runCli, startCli, UNPACED, waitForExit, type Fixture } from "../helpers/cli.js";
import { FLOW_SID, OTHER_FLOW_SID, SIMULATOR_CREDENTIALS } from "../helpers/env.js";
import { startPostgres, type PostgresServer } from "../helpers/postgres.js";
import { surveyCsv, surveyFlow } from "../helpers/survey.js";
import { runInProcess } from "../helpers/run.js";

/**
 * "Where the ledger is shared, so is the list" (docs/reference.md §12): the opt-out list as a table
 * in a real PostgreSQL (a throwaway cluster), shared by campaigns on other machines (other
 * folders, other senders); and a run that reads the list again as it goes, on PostgreSQL and on
 * a file, on its own clock.
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

async function simulator(options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, ...options });
  cleanups.push(() => sim.close());
  return sim;
}

async function fixture(csv: string, campaign: Record<string, unknown>): Promise<Fixture> {
  const f = await makeFixture(csv, campaign);
  cleanups.push(() => f.cleanup());
  return f;
}

/** Each test its own schema: its own ledger tables and its own list. */
const database = (schema: string) => `${pg.url}?schema=${schema}`;

const entry = (number: string, campaign = "elsewhere"): OptOutEntry => ({
  number,
  at: new Date().toISOString(),
  campaign,
  event: "opt_out",
  reason: "STOP",
});

describe("the opt-out list in PostgreSQL, shared by every campaign and machine on the ledger's database", () => {
  it("machine 2 — another folder, flow and sender, the same ledger URL — texts none of those who replied STOP to machine 1", async () => {
    const sim = await simulator({
      flowDefinitions: [surveyFlow(FLOW_SID), surveyFlow(OTHER_FLOW_SID)],
      optOutRate: 0.4,
      replyRate: 0.9,
      surveyMs: 100,
      seed: 4,
    });
    const numbers = phoneNumbers(60, 6000);
    const csv = surveyCsv(numbers);
    const machine1 = await fixture(csv, { name: "pg-survey-1", columns: { parameters: ["first_name", "appointment_at"] } });
    const ledger = database("machines");
    const urls = ["--studio-url", sim.url, "--api-url", sim.url, "--ledger", ledger];
    expect((await runCli(["run", machine1.campaignPath, ...urls, ...UNPACED])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 250));
    const results = await runCli(["results", machine1.campaignPath, ...urls]);
    expect(results.code, results.stderr).toBe(0);
    const stopped = parseCsv((await runCli(["report", machine1.campaignPath, "--ledger", ledger])).stdout)
      .filter((r) => r.outcome === "opted_out")
      .map((r) => r.to!);
    expect(stopped.length).toBeGreaterThan(5);
    // Nothing written beside machine 1's campaign: the list is the table.
    const listed = await runCli(["opt-outs", machine1.campaignPath, "--ledger", ledger, "--json"]);
    expect(new Set(JSON.parse(listed.stdout).map((e: OptOutEntry) => e.number))).toEqual(new Set(stopped));
    // Machine 2: its own folder (no opt-outs.csv there), its own flow and sender, the same database.
    const machine2 = await fixture(csv, {
      name: "pg-survey-2",
      flowSid: OTHER_FLOW_SID,
      from: "+15017122669",
      columns: { parameters: ["first_name", "appointment_at"] },
    });
    const dry = await runCli(["run", machine2.campaignPath, "--dry-run", "--ledger", ledger]);
    expect(dry.stdout, dry.stderr).toMatch(new RegExp(`opted_out ${stopped.length}\\b`));
    const before = sim.executions().length;
    expect((await runCli(["run", machine2.campaignPath, ...urls, ...UNPACED])).code).toBe(0);
    const texted = sim
      .executions()
      .slice(before)
      .map((e) => e.to);
    expect(texted.filter((to) => stopped.includes(to))).toEqual([]);
    expect(texted).toHaveLength(60 - stopped.length);
    const report = parseCsv((await runCli(["report", machine2.campaignPath, "--ledger", ledger])).stdout);
    expect(
      report
        .filter((r) => r.status === "opted_out")
        .map((r) => r.to)
        .sort(),
    ).toEqual([...stopped].sort());
  });

  it("two `opt-outs --import` of 300 numbers each at once leave all 600 on the list; a file list moves into the table entry for entry", async () => {
    const f = await fixture("to\n", { name: "pg-imports", ledger: database("imports") });
    const files = await Promise.all(
      [0, 1].map(async (k) => {
        const file = path.join(f.dir, `import-${k}.csv`);
        await writeFile(file, `${phoneNumbers(300, 1000 + k * 300).join("\n")}\n`);
        return file;
      }),
    );
    const imports = await Promise.all(files.map((file) => waitForExit(startCli(["opt-outs", f.campaignPath, "--import", file, "--json"]))));
    expect(imports.map((r) => r.code)).toEqual([0, 0]);
    const listed = await runCli(["opt-outs", f.campaignPath, "--all", "--json"]);
    expect(new Set(JSON.parse(listed.stdout).map((e: OptOutEntry) => e.number)).size).toBe(600);
    // A file list (an opt-out, then an opt-in of the same number, and another opt-out) moves in as it is.
    const fileList = path.join(f.dir, "old-opt-outs.csv");
    await writeFile(
      fileList,
      "number,at,campaign,event,reason\n+14155557001,2026-11-01T00:00:00Z,old,opt_out,STOP\n" +
        "+14155557001,2026-11-02T00:00:00Z,old,opt_in,START\n+14155557002,2026-11-03T00:00:00Z,old,opt_out,STOP\n",
    );
    expect((await runCli(["opt-outs", f.campaignPath, "--import", fileList])).code).toBe(0);
    const all = JSON.parse((await runCli(["opt-outs", f.campaignPath, "--all", "--json"])).stdout) as OptOutEntry[];
    expect(all.slice(-3).map((e) => `${e.number} ${e.event} ${e.reason} ${e.at}`)).toEqual([
      "+14155557001 opt_out STOP 2026-11-01T00:00:00Z",
      "+14155557001 opt_in START 2026-11-02T00:00:00Z",
      "+14155557002 opt_out STOP 2026-11-03T00:00:00Z",
    ]);
    const now = JSON.parse((await runCli(["opt-outs", f.campaignPath, "--json"])).stdout) as OptOutEntry[];
    expect(now.map((e) => e.number)).toContain("+14155557002");
    expect(now.map((e) => e.number)).not.toContain("+14155557001");
  });
});

describe("a cron rerun's checkpoint and the shared list", () => {
  it("a STOP recorded elsewhere keeps the checkpoint (final rows stay final); an opt-in re-opens the row recorded opted out", async () => {
    const sim = await simulator();
    const numbers = phoneNumbers(5, 9000);
    const f = await fixture(contactsCsv(numbers), { name: "pg-cron-list", ledger: database("cron_list") });
    const campaign = await loadCampaign(f.campaignPath);
    const add = async (entries: OptOutEntry[]) => {
      const store = await campaignOptOutStore(campaign);
      await store.append(entries);
      await store.close();
    };
    await add([entry(numbers[2]!)]);
    const run = async () => JSON.parse((await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight", "--json"])).stdout);
    expect((await run()).counts).toMatchObject({ created: 4, opted_out: 1 });
    await add([entry("+14155559999")]); // someone else's STOP, on another machine
    expect((await run()).skippedFinalRows).toBe(5);
    await add([{ ...entry(numbers[2]!), event: "opt_in", reason: "START" }]);
    const reopened = await run();
    expect(reopened.counts).toMatchObject({ created: 5, opted_out: 0 });
    expect(
      sim
        .executions()
        .map((e) => e.to)
        .sort(),
    ).toEqual([...numbers].sort());
  });
});

describe("a run reads the list again as it goes (at least once a minute, on its own clock)", () => {
  /**
   * 100 contacts, one create at a time, the run's clock 2 s further at each create; 3 creates in
   * (~5 s), opt-outs for the last 70 are committed — by another process's import, as another
   * machine would. Their turns come a minute or more later: none is texted, each is opted_out.
   */
  it.each(["postgres", "file"] as const)(
    "on a %s list: none of the 70 contacts whose opt-outs were added 3 creates in is texted",
    async (kind) => {
      const sim = await simulator();
      const numbers = phoneNumbers(100, 7000);
      const name = `mid-run-${kind}`;
      const f = await fixture(contactsCsv(numbers), { name, ...(kind === "postgres" ? { ledger: database("mid_run") } : {}) });
      const campaign = await loadCampaign(f.campaignPath);
      const started = Date.now();
      const clock = { now: () => started + sim.stats.created * 2_000, sleep: systemClock.sleep };
      const late = numbers.slice(30);
      sim.configure({
        onCreate: async (event) => {
          if (event.stage !== "committed" || event.count !== 3) return;
          const store = await campaignOptOutStore(campaign);
          await store.append(late.map((n) => entry(n)));
          await store.close();
        },
      });
      const notes: RunEvent[] = [];
      const summary = await runInProcess(campaign, sim.url, {
        clock,
        requestTimeoutMs: 5_000,
        pace: { perSecond: 1_000, concurrency: 1 },
        onEvent: (e) => notes.push(e),
      });
      expect(summary.counts).toMatchObject({ created: 30, opted_out: 70, pending: 0 });
      expect(sim.executions().map((e) => e.to)).toEqual(numbers.slice(0, 30));
      const report = parseCsv((await runCli(["report", f.campaignPath])).stdout);
      expect(report.filter((r) => r.status === "opted_out").map((r) => r.to)).toEqual(late);
    },
  );
});

describe("validate and --dry-run count the opted-out rows from the list the campaign uses", () => {
  it("optOuts as a postgres:// URL: another database's table, whatever the ledger", async () => {
    const f = await fixture(contactsCsv(phoneNumbers(10, 8000)), { name: "pg-url-list", optOuts: database("url_list") });
    const store = await campaignOptOutStore(await loadCampaign(f.campaignPath));
    await store.append(phoneNumbers(4, 8000).map((n) => entry(n)));
    await store.close();
    const validate = await runCli(["validate", f.campaignPath]);
    expect(validate.stdout, validate.stderr).toMatch(/opted_out 4\b/);
    expect(validate.stdout).toMatch(/A run now would send 6 contact\(s\)/);
    const bad = await fixture(contactsCsv(phoneNumbers(1)), { optOuts: pg.url.replace("postgres@", "postgres:hunter2@") });
    const refused = await runCli(["validate", bad.campaignPath]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/optOuts: the PostgreSQL URL must not carry a password/);
    expect(refused.stderr).not.toContain("hunter2");
  });
});
