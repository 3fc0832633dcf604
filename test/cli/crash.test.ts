import { appendFile, readFile, writeFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { seededRandom } from "../../src/simulator/random.js";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { contactsCsv, makeFixture, parseCsv, phoneNumbers, runCli, type Fixture } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../helpers/env.js";
import { rerunUntilDone, runKilledAt } from "../helpers/kill.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const CONTACTS = 40;
const KILLS = 3;

async function ledgerSids(f: Fixture): Promise<Set<string>> {
  const lines = (await readFile(f.ledgerPath, "utf8")).split("\n");
  const sids = new Set<string>();
  for (const line of lines) {
    try {
      const event = JSON.parse(line);
      if (event.t === "created" || event.t === "adopted") sids.add(event.sid);
    } catch {
      // a torn last line
    }
  }
  return sids;
}

function duplicates(sim: Simulator): string[] {
  const seen = new Map<string, number>();
  for (const e of sim.executions()) seen.set(e.to, (seen.get(e.to) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([to]) => to);
}

describe("crash safety: SIGKILL at chosen moments under faults", () => {
  // Independent seeds (own simulator, own folder), run at once: most of each is waiting
  // (request timeouts, backoff, settlement), not work, and nothing here is judged by the clock.
  it.concurrent.for([11, 22, 33, 44, 55])(
    "seed %i: killed mid-sending three times, no contact sent twice, none lost, ledger = simulator",
    async (seed, { onTestFinished }) => {
      // A short auto-end: a blind re-send would create a second Execution, not meet a 409.
      const sim = await startSimulator({
        credentials: SIMULATOR_CREDENTIALS,
        rate: 0,
        seed,
        autoEndMs: 150,
        dropAfterCommitRate: 0.15,
        resetRate: 0.05,
        failRate: 0.1,
        latencyMs: 20,
      });
      const f = await makeFixture(contactsCsv(phoneNumbers(CONTACTS)), { retry: { maxAttempts: 20 } });
      onTestFinished(() => f.cleanup());
      onTestFinished(() => sim.close());
      const args = [
        "run",
        f.campaignPath,
        "--studio-url",
        sim.url,
        "--rate",
        "60",
        "--concurrency",
        "8",
        "--request-timeout",
        "500",
        "--json",
      ];
      const random = seededRandom(seed);
      const kills: string[] = [];
      for (let i = 0; i < KILLS; i++) {
        // The kill point, chosen by the seed: the k-th create request of this run, either as it
        // arrives (nothing made) or once its Execution is made and before its answer leaves.
        const k = 2 + Math.floor(random() * 4);
        const killed = await runKilledAt(sim, args, { k, stage: random() < 0.5 ? "arrived" : "committed" });
        if (killed) kills.push(killed);
      }
      const last = await rerunUntilDone(args);
      expect(kills).toHaveLength(KILLS);
      expect(duplicates(sim)).toEqual([]);
      expect(last.code, last.stderr.slice(-2000)).toBe(0);
      const report = parseCsv((await runCli(["report", f.campaignPath])).stdout);
      expect(report.filter((r) => r.status === "pending")).toEqual([]);
      expect(report.filter((r) => r.status === "created")).toHaveLength(CONTACTS);
      expect(await ledgerSids(f)).toEqual(new Set(sim.executions().map((e) => e.sid)));
      const { faults } = sim.stats;
      console.info(
        `crash seed ${seed}: SIGKILL at ${kills.join(", ")}; ${CONTACTS} contacts, ${sim.executions().length} Executions, 0 duplicates, ` +
          `0 pending; faults: ${faults.droppedAfterCommit} dropped after commit, ${faults.reset} resets, ${faults.failed} 5xx`,
      );
    },
  );
});

describe("ledger damage", () => {
  it("a torn last line is forgiven and the run completes", async () => {
    const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0 });
    const f = await makeFixture(contactsCsv(phoneNumbers(5)));
    cleanups.push(
      () => sim.close(),
      () => f.cleanup(),
    );
    expect((await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--limit", "2"])).code).toBe(75);
    await appendFile(f.ledgerPath, '{"t":"attempt","row":3,"to":"+1415');
    const result = await runCli(["run", f.campaignPath, "--studio-url", sim.url]);
    expect(result.code).toBe(0);
    expect(sim.executions()).toHaveLength(5);
  });

  it("a corrupt middle line: exit 2 naming the line, nothing sent, the ledger untouched", async () => {
    const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0 });
    const f = await makeFixture(contactsCsv(phoneNumbers(5)));
    cleanups.push(
      () => sim.close(),
      () => f.cleanup(),
    );
    expect((await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--limit", "2"])).code).toBe(75);
    const lines = (await readFile(f.ledgerPath, "utf8")).split("\n");
    lines[2] = "{corrupt";
    await writeFile(f.ledgerPath, lines.join("\n"));
    const before = sim.stats.createArrivals.length;
    const result = await runCli(["run", f.campaignPath, "--studio-url", sim.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/line 3 is corrupt/);
    expect(sim.stats.createArrivals.length).toBe(before);
    expect(await readFile(f.ledgerPath, "utf8")).toBe(lines.join("\n"));
  });
});
