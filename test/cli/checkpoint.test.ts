import { appendFile, cp, readdir, readFile, truncate, writeFile } from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { makeFixture, parseCsv, phoneNumbers, runCli, startCli, waitForExit, type Fixture } from "../helpers/cli.js";
import { childEnv, SIMULATOR_CREDENTIALS } from "../helpers/env.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(): Promise<Simulator> {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0 });
  cleanups.push(() => sim.close());
  return sim;
}

// A short request timeout: a contact left in doubt by a kill is settled after it, not after 15 s.
const run = (campaign: string, sim: Simulator, env?: NodeJS.ProcessEnv) =>
  runCli(
    ["run", campaign, "--studio-url", sim.url, "--no-preflight", "--request-timeout", "800", "--rate", "500", "--json"],
    env ? { env } : {},
  );
const createsPerNumber = (sim: Simulator) => {
  const counts = new Map<string, number>();
  for (const e of sim.executions()) counts.set(e.to, (counts.get(e.to) ?? 0) + 1);
  return counts;
};
const rows = (numbers: string[]) => numbers.map((n, i) => `${n},n${i}`).join("\n") + "\n";

describe("cron reruns read what is new (the checkpoint), and the ledger stays the truth", () => {
  it("a 0.1.0 ledger (committed fixture) resumes: in-doubt contacts settled and sent once, final ones never again; then appended rows alone", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "studio-campaign-legacy-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await cp(new URL("../fixtures/ledger-0.1.0/", import.meta.url), dir, { recursive: true });
    const sim = await simulator();
    const campaign = path.join(dir, "campaign.json");
    const first = await run(campaign, sim);
    expect(first.code, first.stderr).toBe(0); // the invalid and failed rows were recorded by 0.1.0, not by this run
    // Rows 5 and 7 were in doubt (no Execution in Studio): sent once each; 1 and 6 created and 2 failed before: never again.
    expect([...createsPerNumber(sim).keys()].sort()).toEqual(["+14155550104", "+14155550106"]);
    expect(JSON.parse(first.stdout).counts).toMatchObject({ created: 4, failed: 1, invalid: 1, duplicate: 1, pending: 0 });
    expect(await readdir(dir)).toContain("legacy.ledger.jsonl.checkpoint");

    await appendFile(path.join(dir, "contacts.csv"), "+14155550107,Gus\n+14155550105,Ed again\n");
    const second = await run(campaign, sim);
    expect(JSON.parse(second.stdout).counts).toMatchObject({ created: 5, failed: 1, invalid: 1, duplicate: 2, pending: 0 });
    expect(JSON.parse(second.stdout).thisRun).toMatchObject({ created: 1, duplicate: 1, requests: 1 });
    expect(JSON.parse(second.stdout).skippedFinalRows).toBe(7); // read from row 8: the checkpoint was used
    expect(createsPerNumber(sim).get("+14155550107")).toBe(1);
    const report = parseCsv((await runCli(["report", campaign])).stdout);
    expect(report.map((r) => `${r.row}:${r.status}`)).toEqual([
      "1:created",
      "2:failed",
      "3:invalid",
      "4:duplicate",
      "5:created",
      "6:created",
      "7:created",
      "8:created",
      "9:duplicate",
    ]);
  });

  it.each([
    [
      "the CSV's prefix was edited",
      async (f: Fixture) =>
        writeFile(path.join(f.dir, "contacts.csv"), (await readFile(path.join(f.dir, "contacts.csv"), "utf8")).replace("n1\n", "N1\n")),
    ],
    ["the checkpoint is torn", async (f: Fixture) => truncate(`${f.ledgerPath}.checkpoint`, 100)],
    [
      "the ledger was replaced by another run's",
      async (f: Fixture) =>
        writeFile(f.ledgerPath, (await readFile(f.ledgerPath, "utf8")).replace(/"at":"[^"]+"/, '"at":"2020-01-01T00:00:00.000Z"')),
    ],
    ["the suppression list changed", async (f: Fixture) => writeFile(path.join(f.dir, "optout.txt"), "+14155551003\n")],
  ])("when %s, the checkpoint is not used and the rerun is still right", async (_name, change) => {
    const sim = await simulator();
    const f = await makeFixture(`to,name\n${rows(phoneNumbers(6))}`, { suppress: "optout.txt" }, { "optout.txt": "" });
    cleanups.push(() => f.cleanup());
    expect((await run(f.campaignPath, sim)).code).toBe(0);
    await change(f);
    await appendFile(path.join(f.dir, "contacts.csv"), rows(phoneNumbers(2, 2000)));
    const rerun = await run(f.campaignPath, sim);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout).skippedFinalRows).toBe(0); // read from the top
    expect(sim.executions()).toHaveLength(8);
    expect([...createsPerNumber(sim).values()].every((n) => n === 1)).toBe(true);
    expect(JSON.parse(rerun.stdout).counts).toMatchObject({ pending: 0 });
  });

  it("kill -9 while the checkpoint is written (after the write, before the rename) or at random after sending: every contact exactly once", async () => {
    const sim = await simulator();
    const f = await makeFixture(`to,name\n${rows(phoneNumbers(200))}`);
    cleanups.push(() => f.cleanup());
    expect((await run(f.campaignPath, sim)).code).toBe(0);
    let start = 3000;
    for (const moment of ["during the checkpoint's rename pause", "right after its first create", "during the checkpoint's rename pause"]) {
      await appendFile(path.join(f.dir, "contacts.csv"), rows(phoneNumbers(40, start)));
      start += 40;
      const before = sim.stats.createArrivals.length;
      const child = startCli(
        ["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight", "--request-timeout", "800", "--rate", "500"],
        { env: childEnv({ STUDIO_CAMPAIGN_TEST_CHECKPOINT_PAUSE_MS: "5000" }) },
      );
      const done = waitForExit(child);
      const until = Date.now() + 15_000;
      const drafting = async () => (await readdir(f.dir)).some((name) => name.includes(".checkpoint.tmp-"));
      while (Date.now() < until && child.exitCode === null) {
        if (moment.startsWith("during") ? await drafting() : sim.stats.createArrivals.length > before) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      expect(child.exitCode).toBeNull();
      child.kill("SIGKILL");
      await done;
    }
    const last = await run(f.campaignPath, sim);
    expect(last.code, last.stderr).toBe(0);
    expect(JSON.parse(last.stdout).counts).toMatchObject({ created: 320, pending: 0 });
    expect(sim.executions()).toHaveLength(320);
    expect([...createsPerNumber(sim).values()].every((n) => n === 1)).toBe(true);
    const again = await run(f.campaignPath, sim);
    expect(JSON.parse(again.stdout).thisRun.requests).toBe(0);
    expect(JSON.parse(again.stdout).skippedFinalRows).toBe(320);
  });

  it("a row still open stops the final prefix; the contacts after it keep their state: never sent twice, the open one sent later", async () => {
    // Two fixed-offset zones: one where 09:00–17:00 is open now, one where it is closed.
    const hourIn = (zone: string) =>
      Number(new Intl.DateTimeFormat("en-US", { timeZone: zone, hour: "2-digit", hourCycle: "h23" }).format(new Date()));
    const zones = Array.from({ length: 24 }, (_, i) => `Etc/GMT${i - 12 >= 0 ? "+" : "-"}${Math.abs(i - 12)}`).filter(
      (z) => z !== "Etc/GMT-0",
    );
    const open = zones.find((z) => hourIn(z) >= 10 && hourIn(z) < 16)!;
    const closed = zones.find((z) => hourIn(z) < 8 || hourIn(z) >= 18)!;
    const sim = await simulator();
    const numbers = phoneNumbers(6);
    const csv = (zoneOfFirst: string) => `to,tz\n${numbers.map((n, i) => `${n},${i === 0 ? zoneOfFirst : open}`).join("\n")}\n`;
    const f = await makeFixture(csv(closed), {
      columns: { timezone: "tz", parameters: [] },
      window: { timezone: "UTC", start: "09:00", end: "17:00" },
    });
    cleanups.push(() => f.cleanup());
    const first = await run(f.campaignPath, sim);
    expect(first.code).toBe(75); // row 1 outside its window
    expect(sim.executions()).toHaveLength(5);
    const second = await run(f.campaignPath, sim); // reads from row 1 again: rows 2–6 are known from the checkpoint
    expect(second.code).toBe(75);
    expect(JSON.parse(second.stdout).thisRun.requests).toBe(0);
    expect(JSON.parse(second.stdout).skippedFinalRows).toBe(0);
    // The CSV's prefix is unchanged up to row 1 only; give row 1 an open zone at the end of the file instead.
    await appendFile(path.join(f.dir, "contacts.csv"), `${phoneNumbers(1, 3000)[0]},${open}\n`);
    const third = await run(f.campaignPath, sim);
    expect(third.code).toBe(75);
    expect(sim.executions()).toHaveLength(6); // only the appended row
    expect([...createsPerNumber(sim).values()].every((n) => n === 1)).toBe(true);
    expect(createsPerNumber(sim).has(numbers[0]!)).toBe(false); // never sent outside its window
  });
});
