import { afterAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { makeFixture, parseCsv, phoneNumbers, runCli, startCli, UNPACED, waitForExit, type Fixture } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../helpers/env.js";
import { SURVEY_COLUMNS, surveyCsv, surveyFlow } from "../helpers/survey.js";

/**
 * `status`, `results` and `end` read a Studio that fails a quarter of its answers
 * (503) and drops 5 % of its connections, and finish as they would against a clean one — every
 * read retried (one read-retry for every GET and for ending), none of them exit 75 for it.
 */
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const CONTACTS = 30;
const FLAKY = { failRate: 0.25, failStatus: 503, resetRate: 0.05 } as const;

/** A surveyed campaign on its own simulator: created cleanly, each survey lasting `surveyMs`. */
async function surveyed(surveyMs: number): Promise<{ sim: Simulator; f: Fixture }> {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, flowDefinitions: [surveyFlow()], seed: 3, surveyMs });
  const f = await makeFixture(surveyCsv(phoneNumbers(CONTACTS)), { columns: SURVEY_COLUMNS });
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  const ran = await runCli(["run", f.campaignPath, "--studio-url", sim.url, ...UNPACED]);
  expect(ran.code, ran.stderr).toBe(0);
  return { sim, f };
}

const command = (name: string, f: Fixture, sim: Simulator, ...flags: string[]) =>
  runCli([name, f.campaignPath, "--studio-url", sim.url, "--json", ...flags]);

/** A report without what differs between two simulators (SIDs, times): who, status, outcome, answers. */
async function reportData(f: Fixture): Promise<Array<Record<string, string>>> {
  const rows = parseCsv((await runCli(["report", f.campaignPath])).stdout);
  return rows.map(({ execution_sid: _s, first_attempt_at: _a, last_event_at: _l, ...rest }) => rest);
}

describe.concurrent("status, results and end against a flaky Studio (503 a quarter of the time, 5 % resets)", () => {
  it("status and results: exit 0, the same data as against a clean Studio", async () => {
    const [clean, flaky] = await Promise.all([surveyed(100), surveyed(100)]);
    await new Promise((r) => setTimeout(r, 150)); // every survey ended
    flaky.sim.configure(FLAKY);
    for (const name of ["status", "results"]) {
      const api = (sim: Simulator) => (name === "results" ? ["--api-url", sim.url] : []);
      const [a, b] = await Promise.all([
        command(name, clean.f, clean.sim, ...api(clean.sim)),
        command(name, flaky.f, flaky.sim, ...api(flaky.sim)),
      ]);
      expect([a.code, b.code], `${name}: ${b.stderr.slice(-600)}`).toEqual([0, 0]);
      const strip = (text: string) => {
        const { status, outcomes, columns, optOutsAdded, optInsAdded, collected, gone } = JSON.parse(text);
        return name === "status"
          ? JSON.parse(text).ended
          : { status: { ...status, requests: 0 }, outcomes, columns, optOutsAdded, optInsAdded, collected, gone };
      };
      expect(strip(b.stdout)).toEqual(strip(a.stdout));
    }
    expect(await reportData(flaky.f)).toEqual(await reportData(clean.f));
    const { faults } = flaky.sim.stats;
    console.info(`flaky Studio: ${faults.failed} × 503 and ${faults.reset} resets absorbed by status and results`);
    expect(faults.failed + faults.reset).toBeGreaterThan(5); // the faults did happen
  });

  it("end: exit 0, every Execution ended, the same counts as against a clean Studio", async () => {
    const [clean, flaky] = await Promise.all([surveyed(600_000), surveyed(600_000)]);
    flaky.sim.configure(FLAKY);
    const [a, b] = await Promise.all([command("end", clean.f, clean.sim, "--yes"), command("end", flaky.f, flaky.sim, "--yes")]);
    expect([a.code, b.code], b.stderr.slice(-600)).toEqual([0, 0]);
    const ended = (text: string) => JSON.parse(text).ended + JSON.parse(text).alreadyEnded;
    expect(ended(b.stdout)).toBe(CONTACTS);
    expect(ended(a.stdout)).toBe(CONTACTS);
    flaky.sim.configure({ failRate: 0, resetRate: 0 });
    expect(flaky.sim.executions().every((e) => e.endedAt !== undefined && e.endedAt <= Date.now())).toBe(true);
  });

  it.each(["status", "results", "end"])(
    "%s against a Studio that fails everything: stops once the outage bound has passed, exit 75",
    async (name) => {
      const { sim, f } = await surveyed(600_000);
      sim.configure({ failRate: 1, failStatus: 503 });
      const started = Date.now();
      const result = await command(name, f, sim, "--outage-after", "1", ...(name === "end" ? ["--yes"] : []));
      expect(result.code, result.stderr).toBe(75);
      expect(result.stderr).toMatch(/Studio failed every request for [1-9]\d* s/);
      expect(Date.now() - started).toBeLessThan(15_000);
    },
  );

  it("Ctrl-C while results waits out a backoff: stops at once, exit 75, the next results continues", async () => {
    const { sim, f } = await surveyed(100);
    await new Promise((r) => setTimeout(r, 150));
    sim.configure({ failRate: 1, failStatus: 503 });
    const child = startCli(["results", f.campaignPath, "--studio-url", sim.url, "--api-url", sim.url]);
    const done = waitForExit(child);
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    while (!/retrying a List read in/.test(stderr)) await new Promise((r) => setTimeout(r, 20));
    // The backoff grows (0.5 s, 1 s, 2 s …): wait into a long one, then stop.
    while ((stderr.match(/retrying/g) ?? []).length < 3) await new Promise((r) => setTimeout(r, 20));
    const signalled = Date.now();
    child.kill("SIGINT");
    const result = await done;
    expect(result.code).toBe(75);
    expect(Date.now() - signalled).toBeLessThan(1_500);
    expect(result.stderr).toMatch(/stopping: SIGINT received/);
    sim.configure({ failRate: 0 });
    expect((await command("results", f, sim, "--api-url", sim.url)).code).toBe(0);
  });
});
