import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import type { SimulatorOptions } from "../../src/simulator/options.js";
import { contactsCsv, makeFixture, parseCsv, phoneNumbers, runCli, runCliProcess, type Fixture } from "../helpers/cli.js";
import { API_KEY, API_SECRET, SECRETS, SIMULATOR_CREDENTIALS, childEnv } from "../helpers/env.js";

const cleanups: Array<() => Promise<void>> = [];
// Tests run at once (each has its own simulator and folder): cleaned when the file is done.
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(n: number, simOptions: SimulatorOptions = {}) {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, ...simOptions });
  const f = await makeFixture(contactsCsv(phoneNumbers(n)));
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  return { sim, f };
}

const cli = (f: Fixture, sim: Simulator, command: string, ...flags: string[]) =>
  runCli([command, f.campaignPath, "--studio-url", sim.url, ...flags]);

describe.concurrent("status and end", () => {
  it("status refreshes active/ended with one List page, and report shows it", async () => {
    const { sim, f } = await setup(30);
    expect((await cli(f, sim, "run", "--rate", "100")).code).toBe(0);
    const [first] = sim.executions();
    await fetch(`${sim.url}/v2/Flows/${first!.flowSid}/Executions/${first!.sid}`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${SIMULATOR_CREDENTIALS[0]!.username}:${SIMULATOR_CREDENTIALS[0]!.password}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "Status=ended",
    });
    const status = await cli(f, sim, "status", "--json");
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({ active: 29, ended: 1, unknown: 0, requests: 1 });
    const rows = parseCsv((await runCli(["report", f.campaignPath])).stdout);
    expect(rows.filter((r) => r.execution_status === "ended").map((r) => r.execution_sid)).toEqual([first!.sid]);
    expect(rows.filter((r) => r.execution_status === "active")).toHaveLength(29);
  });

  it("end ends only this campaign's Executions, is idempotent, and needs --yes without a TTY", async () => {
    const { sim, f } = await setup(12);
    expect((await cli(f, sim, "run", "--rate", "100")).code).toBe(0);
    // Another campaign on the same flow: never touched.
    const other = await makeFixture(contactsCsv(phoneNumbers(3, 5000)), { name: "other-campaign" });
    cleanups.push(() => other.cleanup());
    expect((await cli(other, sim, "run")).code).toBe(0);

    const refused = await cli(f, sim, "end");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/without --yes/);

    const first = await cli(f, sim, "end", "--yes", "--json");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ ended: 12, alreadyEnded: 0 });
    const second = await cli(f, sim, "end", "--yes", "--json");
    expect(JSON.parse(second.stdout)).toMatchObject({ ended: 0, alreadyEnded: 0 });
    const statuses = sim.executions().map((e) => [e.to >= "+14155555000", e.endedAt !== undefined]);
    expect(statuses.filter(([isOther, ended]) => isOther && ended)).toHaveLength(0);
    expect(statuses.filter(([isOther, ended]) => !isOther && ended)).toHaveLength(12);
  });

  it("end counts an Execution that ended by itself (409) as ended", async () => {
    const { sim, f } = await setup(5, { autoEndMs: 50 });
    expect((await cli(f, sim, "run", "--rate", "100")).code).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    const result = await cli(f, sim, "end", "--yes", "--json");
    expect(JSON.parse(result.stdout)).toMatchObject({ ended: 0, alreadyEnded: 5 });
  });
});

describe.concurrent("sharded runs and merged reports", () => {
  it("two shards cover every contact once; report merges their ledgers into one, mode 0600", async () => {
    const { sim, f } = await setup(50);
    const ledger = (k: number) => path.join(f.dir, `shard-${k}.ledger.jsonl`);
    for (const k of [1, 2]) {
      const result = await cli(f, sim, "run", "--shard", `${k}/2`, "--ledger", ledger(k), "--rate", "100");
      expect(result.code).toBe(0);
    }
    expect(sim.executions()).toHaveLength(50);
    expect(new Set(sim.executions().map((e) => e.to)).size).toBe(50);
    const out = path.join(f.dir, "merged.csv");
    const report = await runCli(["report", f.campaignPath, "--ledger", ledger(1), "--ledger", ledger(2), "--out", out]);
    expect(report.code).toBe(0);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const rows = parseCsv(await readFile(out, "utf8"));
    expect(rows.map((r) => Number(r.row))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(rows.every((r) => r.status === "created")).toBe(true);
    for (const k of [1, 2]) expect((await stat(ledger(k))).mode & 0o777).toBe(0o600);
  });
});

describe.concurrent("security hygiene", () => {
  it.each([
    ["account SID + auth token", {}],
    ["API key + secret", { TWILIO_API_KEY: API_KEY, TWILIO_API_SECRET: API_SECRET }],
  ])("credentials (%s) appear in no output, ledger, lock or report, even with DEBUG=* and NODE_DEBUG", async (_name, extra) => {
    const { sim, f } = await setup(10, { failRate: 0.2, dropAfterCommitRate: 0.1, seed: 3 });
    const env = childEnv({ ...extra, DEBUG: "*", NODE_DEBUG: "http,net,undici,fetch,tls" });
    const outputs: string[] = [];
    for (const args of [
      ["run", f.campaignPath, "--studio-url", sim.url, "--rate", "100", "--request-timeout", "500"],
      ["status", f.campaignPath, "--studio-url", sim.url],
      ["end", f.campaignPath, "--studio-url", sim.url, "--yes"],
      ["report", f.campaignPath, "--out", path.join(f.dir, "report.csv")],
      ["run", f.campaignPath, "--studio-url", "http://127.0.0.1:1", "--rate", "100"],
    ]) {
      const result = await runCliProcess(args, { env });
      outputs.push(result.stdout, result.stderr);
    }
    outputs.push(await readFile(f.ledgerPath, "utf8"), await readFile(path.join(f.dir, "report.csv"), "utf8"));
    const all = outputs.join("\n");
    expect(all.length).toBeGreaterThan(1000);
    for (const secret of SECRETS) {
      expect(all).not.toContain(secret);
      expect(all).not.toContain(Buffer.from(secret).toString("base64").slice(0, 12));
    }
  });

  it("a 401 stops at once with exit 77 and the simulator can require specific credentials", async () => {
    const { sim, f } = await setup(30);
    const result = await runCli(["run", f.campaignPath, "--studio-url", sim.url], {
      env: childEnv({ TWILIO_ACCOUNT_SID: "ACeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee" }),
    });
    expect(result.code).toBe(77);
    expect(sim.stats.created).toBe(0);
    expect(sim.stats.unauthorized).toBeLessThanOrEqual(10);
  });

  it("refuses a non-loopback http:// Studio URL before sending anything (exit 2)", async () => {
    const { f } = await setup(1);
    const result = await runCli(["run", f.campaignPath, "--studio-url", "http://studio.example.com"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/in clear/);
  });
});
