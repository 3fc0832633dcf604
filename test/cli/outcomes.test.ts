import { spawn } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FileOptOutStore } from "../../src/opt-outs/opt-out-file.js";

const readOptOutEntries = async (file: string) => (await new FileOptOutStore(file, undefined).readSince(0)).entries;
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import type { StoredExecution } from "../../src/simulator/store.js";
import { makeFixture, parseCsv, phoneNumbers, runCli, type Fixture } from "../helpers/cli.js";
import { OTHER_FLOW_SID, SIMULATOR_CREDENTIALS } from "../helpers/env.js";
import { SURVEY_COLUMNS, surveyCsv, surveyFlow } from "../helpers/survey.js";

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A surveyed campaign of `n` contacts: run, every survey ended. */
async function surveyed(n: number): Promise<{ sim: Simulator; f: Fixture }> {
  const sim = await startSimulator({
    credentials: SIMULATOR_CREDENTIALS,
    rate: 0,
    flowDefinitions: [surveyFlow()],
    flows: [OTHER_FLOW_SID], // served with the default (no-question) flow: a second campaign's
    replyRate: 0.7,
    undeliveredRate: 0.2,
    optOutRate: 0.3,
    surveyMs: 150,
    seed: 7,
  });
  const f = await makeFixture(surveyCsv(phoneNumbers(n)), { columns: SURVEY_COLUMNS });
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  const ran = await runCli(["run", f.campaignPath, "--studio-url", sim.url]);
  expect(ran.code, ran.stderr).toBe(0);
  await new Promise((r) => setTimeout(r, 200));
  return { sim, f };
}

const results = (f: Fixture, sim: Simulator, ...flags: string[]) =>
  runCli(["results", f.campaignPath, "--studio-url", sim.url, "--api-url", sim.url, ...flags]);

/** The truth, from the simulator's own record of what each contact did. */
function truth(execution: StoredExecution): { outcome: string; code: string } {
  const played = execution.steps ?? [];
  const failed = played.find((s) => s.errorCode !== undefined);
  if (played.some((s) => s.optedOut)) return { outcome: "opted_out", code: "" };
  if (failed) return { outcome: failed.errorCode === 21610 ? "opted_out" : "undelivered", code: String(failed.errorCode) };
  const questions = played.filter((s) => s.event === "incomingMessage" || s.event === "timeout");
  const answered = questions.filter((s) => s.event === "incomingMessage").length;
  if (answered === questions.length) return { outcome: "answered", code: "" };
  return { outcome: answered > 0 ? "partial" : "no_reply", code: "" };
}

const KEYWORD = /^\s*(stop|stopall|unsubscribe|cancel|end|quit|revoke|optout)\s*$/i;

describe.concurrent("outcomes and the opt-out list (docs/reference.md §12)", () => {
  it("records every contact's outcome with the failed messages' codes; one Steps and one Context request each, a Message only per failure; STOP is no answer", async () => {
    const { sim, f } = await surveyed(40);
    const first = await results(f, sim, "--json");
    expect(first.code, first.stderr).toBe(0);
    const executions = sim.executions();
    // A Message is fetched for a failed message, unless a STOP before it decided already (the messages after it fail with 21610).
    const failures = executions.filter((e) => truth(e).code !== "").length;
    expect(sim.stats.requests.steps).toBe(40);
    expect(sim.stats.requests.context).toBe(40);
    expect(sim.stats.requests.message).toBe(failures);
    expect(failures).toBeGreaterThan(3); // the seed plays some of each
    const report = parseCsv((await runCli(["report", f.campaignPath])).stdout);
    const byTo = new Map(executions.map((e) => [e.to, e]));
    const seen = new Set<string>();
    for (const row of report) {
      const expected = truth(byTo.get(row.to!)!);
      expect({ to: row.to, outcome: row.outcome, code: row.outcome_error_code }).toEqual({ to: row.to, ...expected });
      expect(row.outcome_widget).toMatch(/^(ask_rating|ask_comment)$/);
      expect(row.ask_rating).not.toMatch(KEYWORD);
      expect(row.ask_comment).not.toMatch(KEYWORD);
      seen.add(row.outcome!);
    }
    expect([...seen].sort()).toEqual(["answered", "no_reply", "opted_out", "partial", "undelivered"]);
    // Opt-out replies were played (mixed case and spacing): none counted among the answers.
    const summary = JSON.parse(first.stdout);
    expect(summary.outcomes.total).toBe(40);
    const optedOut = report.filter((r) => r.outcome === "opted_out").map((r) => r.to!);
    expect(summary.outcomes.counts.find((c: { outcome: string }) => c.outcome === "opted_out").count).toBe(optedOut.length);
    for (const column of summary.columns) for (const top of column.top) expect(top.answer).not.toMatch(KEYWORD);
    // Every opt-out is on the list, which only its owner can read.
    const list = path.join(f.dir, "opt-outs.csv");
    expect((await stat(list)).mode & 0o777).toBe(0o600);
    expect(new Set((await readOptOutEntries(list)).map((e) => e.number))).toEqual(new Set(optedOut));
    // A second pass sends nothing.
    const before = JSON.stringify(sim.stats.requests);
    const second = await results(f, sim, "--json");
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.stringify(sim.stats.requests)).toBe(before);
    expect(JSON.parse(second.stdout).outcomes.total).toBe(40);
  });

  it("a second campaign in the same folder, on another flow and sender, sends nothing to anyone who opted out; its report says opted_out", async () => {
    const { sim, f } = await surveyed(30);
    expect((await results(f, sim)).code).toBe(0);
    const optedOut = new Set((await readOptOutEntries(path.join(f.dir, "opt-outs.csv"))).map((e) => e.number));
    expect(optedOut.size).toBeGreaterThan(2);
    const second = path.join(f.dir, "second.json");
    const body = { name: "second", flowSid: OTHER_FLOW_SID, from: "+15017122662", contacts: "contacts.csv", defaultRegion: "US" };
    await writeFile(second, JSON.stringify(body));
    const validate = await runCli(["validate", second, "--json"]);
    expect(JSON.parse(validate.stdout).counts.opted_out, validate.stdout).toBe(optedOut.size);
    const ran = await runCli(["run", second, "--studio-url", sim.url, "--json"]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout).thisRun.optedOut).toBe(optedOut.size);
    const sent = sim.executions().filter((e) => e.flowSid === OTHER_FLOW_SID);
    expect(sent).toHaveLength(30 - optedOut.size);
    for (const e of sent) expect(optedOut.has(e.to)).toBe(false);
    const report = parseCsv((await runCli(["report", second])).stdout);
    expect(report.filter((r) => r.status === "opted_out").map((r) => r.to)).toEqual([...optedOut].sort());
    // A rerun sends nothing more.
    const again = await runCli(["run", second, "--studio-url", sim.url, "--json"]);
    expect(JSON.parse(again.stdout).thisRun.requests).toBe(0);
  });

  it("opt-outs prints the list; --add and --import bring in opt-outs received elsewhere, and a later run skips them", async () => {
    const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0 });
    const numbers = phoneNumbers(6);
    const f = await makeFixture(
      `to,name\n${numbers.map((n) => `${n},x`).join("\n")}\n`,
      {},
      { "elsewhere.txt": `${numbers[2]}\n(415) 555-1003\nnot a number\n` },
    );
    cleanups.push(
      () => sim.close(),
      () => f.cleanup(),
    );
    const added = await runCli(["opt-outs", f.campaignPath, "--add", numbers[0]!, "(415) 555-1001"]);
    expect(added.code, added.stderr).toBe(0);
    const imported = await runCli(["opt-outs", f.campaignPath, "--import", path.join(f.dir, "elsewhere.txt"), "--json"]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout).map((e: { number: string; reason: string }) => [e.number, e.reason])).toEqual([
      [numbers[0], "added"],
      [numbers[1], "added"],
      [numbers[2], "imported"],
      [numbers[3], "imported"],
    ]);
    const bad = await runCli(["opt-outs", f.campaignPath, "--add", "12"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--add "12"/);
    const ran = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--json"]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(sim.executions().map((e) => e.to)).toEqual(numbers.slice(4));
    const listed = await runCli(["opt-outs", f.campaignPath]);
    expect(listed.stdout.split("\n")[0]).toBe("number,at,campaign,event,reason");
    expect(listed.stdout.trim().split("\n")).toHaveLength(5);
    expect(parseCsv(listed.stdout).map((e) => [e.number, e.reason])).toEqual(
      numbers.slice(0, 4).map((n, i) => [n, i < 2 ? "added" : "imported"]),
    );
  });

  it("two campaigns appending to one list at the same moment lose and tear no line", async () => {
    const f = await makeFixture("to\n");
    cleanups.push(() => f.cleanup());
    const list = path.join(f.dir, "opt-outs.csv");
    const module = fileURLToPath(new URL("../../dist/opt-outs/opt-out-file.js", import.meta.url));
    const writer = (campaign: string, start: number) => `
      const { FileOptOutStore } = await import(${JSON.stringify(module)});
      const w = new FileOptOutStore(${JSON.stringify(list)}, undefined);
      for (let i = 0; i < 300; i++) {
        await w.append([{ number: "+1415555" + String(${start} + i).padStart(4, "0"), at: new Date().toISOString(), campaign: "${campaign}", event: "opt_out", reason: "STOP" }]);
      }
      await w.close();`;
    const spawnWriter = (code: string) =>
      new Promise<number>((resolve) =>
        spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: "inherit" }).on("close", resolve),
      );
    expect(await Promise.all([spawnWriter(writer("a", 0)), spawnWriter(writer("b", 5000))])).toEqual([0, 0]);
    const lines = (await readFile(list, "utf8")).split("\n").filter(Boolean);
    expect(lines[0]).toBe("number,at,campaign,event,reason");
    expect(lines).toHaveLength(601);
    for (const line of lines.slice(1)) expect(line).toMatch(/^\+1415555\d{4},\S+,[ab],opt_out,STOP$/);
    expect(new Set((await readOptOutEntries(list)).map((e) => e.number)).size).toBe(600);
    expect((await stat(list)).mode & 0o777).toBe(0o600);
  });
});
