import { readFile } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { StudioClient } from "../../src/studio/client.js";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import type { SimulatorOptions } from "../../src/simulator/options.js";
import { contactsCsv, makeFixture, parseCsv, phoneNumbers, runCli, type Fixture } from "../helpers/cli.js";
import { FLOW_SID, SIMULATOR_CREDENTIALS, accountCredentials, childEnv } from "../helpers/env.js";

const cleanups: Array<() => Promise<void>> = [];
// Tests run at once (each has its own simulator and folder): cleaned when the file is done.
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, ...options });
  cleanups.push(() => sim.close());
  return sim;
}

async function fixture(...args: Parameters<typeof makeFixture>): Promise<Fixture> {
  const f = await makeFixture(...args);
  cleanups.push(() => f.cleanup());
  return f;
}

const run = (f: Fixture, sim: Simulator, ...flags: string[]) =>
  runCli(["run", f.campaignPath, "--studio-url", sim.url, "--json", ...flags]);

function createsPerContact(sim: Simulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of sim.executions()) counts.set(e.to, (counts.get(e.to) ?? 0) + 1);
  return counts;
}

describe.concurrent("run: statuses, policies and Parameters", () => {
  it("gives every row one of the docs/reference.md §6 statuses and exits 1 for invalid/failed rows", async () => {
    const sim = await simulator({ rejectTo: ["+14155551004"] });
    const client = new StudioClient({ baseUrl: sim.url, credentials: accountCredentials() });
    const active = await client.createExecution(FLOW_SID, { to: "+14155551003", from: "+15017122661" });
    await client.close();
    const csv = [
      "to,first_name",
      "+14155551000,Ann", // created
      "(415) 555-1001,Bob", // created (national format)
      "not a number,Cid", // invalid
      "+1 415 555 1000,Dup", // duplicate of row 1
      "+14155551002,Opt", // suppressed
      "+14155551003,Act", // conflict_skipped
      "+14155551004,Rej", // failed (400)
      '+14155551005,"=HYPERLINK(""x"")"',
      "=SUM(A1:A9),Formula", // invalid, and its To must not reach a spreadsheet as a formula
    ].join("\n");
    const f = await fixture(csv, { suppress: "opt-outs.txt", parameters: { survey: "q4" } }, { "opt-outs.txt": "+14155551002\n" });
    const result = await run(f, sim);
    expect(result.stderr).not.toMatch(/internal error/); // a defect is reported as one (run-cli.ts)
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary.counts).toEqual({
      pending: 0,
      created: 3,
      conflict_skipped: 1,
      failed: 1,
      expired: 0,
      opted_out: 0,
      invalid: 2,
      duplicate: 1,
      suppressed: 1,
      excluded: 0,
      cancelled: 0,
    });

    const report = await runCli(["report", f.campaignPath]);
    expect(report.code).toBe(0);
    const rows = parseCsv(report.stdout);
    expect(rows.map((r) => [r.row, r.status])).toEqual([
      ["1", "created"],
      ["2", "created"],
      ["3", "invalid"],
      ["4", "duplicate"],
      ["5", "suppressed"],
      ["6", "conflict_skipped"],
      ["7", "failed"],
      ["8", "created"],
      ["9", "invalid"],
    ]);
    expect(rows[5]).toMatchObject({
      conflicting_execution_sid: active.sid,
      conflict_action: "skipped",
      http_status: "409",
      error_code: "20409",
    });
    expect(rows[6]).toMatchObject({ http_status: "400", error_code: "21211", attempts: "1" });
    expect(rows[0]?.execution_sid).toMatch(/^FN/);
    expect(rows[8]?.to).toBe("'=SUM(A1:A9)");
    const received = sim.executions().find((e) => e.to === "+14155551001");
    expect(received?.parameters).toEqual({ survey: "q4", first_name: "Bob" });
    expect(sim.executions().find((e) => e.to === "+14155551005")?.parameters).toEqual({ survey: "q4", first_name: '=HYPERLINK("x")' });
  });

  it("end-and-retry ends the conflicting Execution and creates a new one", async () => {
    const sim = await simulator();
    const client = new StudioClient({ baseUrl: sim.url, credentials: accountCredentials() });
    const old = await client.createExecution(FLOW_SID, { to: "+14155551000", from: "+15017122661" });
    await client.close();
    const f = await fixture(contactsCsv(["+14155551000", "+14155551001"]), { onConflict: "end-and-retry" });
    const result = await run(f, sim);
    expect(result.code).toBe(0);
    const rows = parseCsv((await runCli(["report", f.campaignPath])).stdout);
    expect(rows[0]).toMatchObject({ status: "created", conflict_action: "ended", conflicting_execution_sid: old.sid, attempts: "2" });
    expect(rows[0]?.execution_sid).not.toBe(old.sid);
    expect(sim.executions().find((e) => e.sid === old.sid)?.endedAt).toBeDefined();
  });

  it("--on-conflict overrides the campaign file", async () => {
    const sim = await simulator();
    const client = new StudioClient({ baseUrl: sim.url, credentials: accountCredentials() });
    await client.createExecution(FLOW_SID, { to: "+14155551000", from: "+15017122661" });
    await client.close();
    const f = await fixture(contactsCsv(["+14155551000"]), { onConflict: "end-and-retry" });
    const result = await run(f, sim, "--on-conflict", "skip");
    expect(JSON.parse(result.stdout).counts.conflict_skipped).toBe(1);
  });
});

describe.concurrent("run: resume and exit codes", () => {
  it("resumes after --limit with no second create for any contact, and picks up appended rows", async () => {
    const sim = await simulator();
    const numbers = phoneNumbers(30);
    const f = await fixture(contactsCsv(numbers));
    const first = await run(f, sim, "--limit", "10");
    expect(first.code).toBe(75);
    expect(JSON.parse(first.stdout).counts).toMatchObject({ created: 10, pending: 20 });
    const second = await run(f, sim);
    expect(second.code).toBe(0);
    const third = await run(f, sim);
    expect(JSON.parse(third.stdout).thisRun.requests).toBe(0);
    await (await import("node:fs/promises")).appendFile(`${f.dir}/contacts.csv`, "+14155559999,late\n");
    const fourth = await run(f, sim);
    expect(JSON.parse(fourth.stdout).thisRun.created).toBe(1);
    const perContact = createsPerContact(sim);
    expect(perContact.size).toBe(31);
    expect([...perContact.values()].every((n) => n === 1)).toBe(true);
  });

  it("exits 2 naming the key for a bad campaign file, and sends nothing", async () => {
    const sim = await simulator();
    const f = await fixture(contactsCsv(phoneNumbers(3)), { rate: { perSecond: "fast" } });
    const result = await run(f, sim);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"rate.perSecond" must be a positive number');
    expect(sim.stats.created).toBe(0);
  });

  it("exits 2 when the contacts file has no to column, and sends nothing", async () => {
    const sim = await simulator();
    const f = await fixture("phone,name\n+14155551000,a\n");
    const result = await run(f, sim);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/contacts\.csv: line 1: the header has no "to" column/);
    expect(sim.stats.created).toBe(0);
  });

  it("exits 2 when the ledger belongs to another flow", async () => {
    const sim = await simulator();
    const f = await fixture(contactsCsv(phoneNumbers(2)));
    expect((await run(f, sim)).code).toBe(0);
    const other = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--ledger", f.ledgerPath], {
      env: childEnv({ TWILIO_ACCOUNT_SID: "ACffffffffffffffffffffffffffffffff" }),
    });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/belongs to account AC1234567890abcdef1234567890abcdef/);
  });

  it("exits 77 on rejected credentials after at most the requests in flight", async () => {
    const sim = await simulator();
    const f = await fixture(contactsCsv(phoneNumbers(50)), { rate: { perSecond: 50, concurrency: 4 } });
    const result = await runCli(["run", f.campaignPath, "--studio-url", sim.url], { env: childEnv({ TWILIO_AUTH_TOKEN: "wrong" }) });
    expect(result.code).toBe(77);
    expect(sim.stats.unauthorized).toBeLessThanOrEqual(4);
    expect(sim.stats.created).toBe(0);
  });
});

describe.concurrent("run: a 429", () => {
  it("a 429 slows the whole run and every contact is still created once", async () => {
    // The simulator takes 10 creates a second and asks to wait 1 s; the run starts 25 a second.
    const sim = await simulator({ rate: 10, retryAfter: "1" });
    const f = await fixture(contactsCsv(phoneNumbers(20)));
    const result = await run(f, sim, "--rate", "25", "--no-preflight");
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    const { rateLimitedTimes, createArrivals } = sim.stats;
    expect(summary.thisRun.rateLimited).toBe(rateLimitedTimes.length);
    expect(rateLimitedTimes.length).toBeGreaterThan(0);
    // The whole run holds, not just the contact answered 429: after the answer (and the
    // requests already on their way, 100 ms), no create of any contact arrives for the
    // rest of the second asked for.
    const first429 = rateLimitedTimes[0]!;
    expect(createArrivals.filter((t) => t > first429 + 100 && t < first429 + 900)).toEqual([]);
    expect(createsPerContact(sim).size).toBe(20);
    expect(sim.executions()).toHaveLength(20);
  });
});

describe.concurrent("run: faults never duplicate", () => {
  it.each([
    ["dropped after commit", { dropAfterCommitRate: 0.3 }],
    ["5xx", { failRate: 0.3 }],
    ["resets", { resetRate: 0.3 }],
  ])("%s: every contact created exactly once", async (_name, faults) => {
    const sim = await simulator({ ...faults, seed: 42, autoEndMs: 200 });
    const f = await fixture(contactsCsv(phoneNumbers(40)), { retry: { maxAttempts: 10 } });
    const result = await run(f, sim, "--rate", "100", "--request-timeout", "1000");
    expect(result.stderr).not.toMatch(/internal error/); // a defect is reported as one (run-cli.ts)
    const perContact = createsPerContact(sim);
    expect([...perContact.values()].filter((n) => n > 1)).toEqual([]);
    expect(result.code).toBe(0);
    expect(perContact.size).toBe(40);
    const ledger = await readFile(f.ledgerPath, "utf8");
    const sids = new Set(
      ledger
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .filter((e) => e.t === "created" || e.t === "adopted")
        .map((e) => e.sid),
    );
    expect(sids).toEqual(new Set(sim.executions().map((e) => e.sid)));
  });
});
