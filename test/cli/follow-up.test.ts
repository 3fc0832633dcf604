import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decideFollowUp, type FollowUpVerdict, type SourceContact } from "../../src/engine/follow-up/follow-up-target.js";
import type { Outcome } from "../../src/flow/outcome.js";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import type { StoredExecution } from "../../src/simulator/store.js";
import { makeFixture, parseCsv, phoneNumbers, runCli, UNPACED, type Fixture } from "../helpers/cli.js";
import { FLOW_SID, OTHER_FLOW_SID, SIMULATOR_CREDENTIALS } from "../helpers/env.js";
import { SURVEY_COLUMNS, surveyCsv, surveyFlow } from "../helpers/survey.js";

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const HOUR = 3_600_000;

describe("decideFollowUp: which source contacts a follow-up targets (outcomes × active/ended × opted out × after)", () => {
  const rule = { outcomes: new Set<Outcome>(["no_reply", "partial"]), afterMs: 48 * HOUR };
  const created = Date.parse("2026-11-26T10:00:00Z");
  const contact = (patch: Partial<SourceContact>): SourceContact => ({
    row: 1,
    to: "+14155550100",
    createdAt: created,
    status: "ended",
    outcome: "no_reply",
    ...patch,
  });
  const later = (hours: number) => created + hours * HOUR;
  const rows: Array<[string, Partial<SourceContact>, number, boolean, FollowUpVerdict]> = [
    ["no_reply, ended, 49 h later", {}, later(49), false, "qualifies"],
    ["partial, ended, 49 h later", { outcome: "partial" }, later(49), false, "qualifies"],
    ["no_reply at exactly 48 h", {}, later(48), false, "qualifies"],
    ["no_reply, 47 h later: waits for after", {}, later(47), false, "waiting-after"],
    ["answered: never", { outcome: "answered" }, later(49), false, "other-outcome"],
    ["undelivered: never", { outcome: "undelivered" }, later(49), false, "other-outcome"],
    ["sent: never", { outcome: "sent" }, later(49), false, "other-outcome"],
    ["unknown: never", { outcome: "unknown" }, later(49), false, "unknown-outcome"],
    ["still active: waits, whatever the time", { status: "active", outcome: undefined }, later(100), false, "waiting-active"],
    ["state never read: waits", { status: undefined, outcome: undefined }, later(100), false, "waiting-active"],
    ["ended, outcome not collected: waits", { outcome: undefined }, later(49), false, "waiting-outcome"],
    ["no_reply but opted out since: never", {}, later(49), true, "opted-out"],
    ["active and opted out: never", { status: "active", outcome: undefined }, later(1), true, "opted-out"],
    ["opted out (the source outcome): never", { outcome: "opted_out" }, later(49), false, "other-outcome"],
  ];
  it.each(rows)("%s", (_name, patch, now, optedOut, expected) => {
    expect(decideFollowUp(contact(patch), rule, now, optedOut)).toBe(expected);
  });
});

const THIRD_FLOW_SID = "FW00000000000000000000000000000003";

/** The outcome the simulator played for an Execution (its own record). */
function playedOutcome(execution: StoredExecution): string {
  const steps = execution.steps ?? [];
  if (steps.some((s) => s.optedOut || s.errorCode === 21610)) return "opted_out";
  if (steps.some((s) => s.errorCode !== undefined)) return "undelivered";
  const questions = steps.filter((s) => s.event === "incomingMessage" || s.event === "timeout");
  const answered = questions.filter((s) => s.event === "incomingMessage").length;
  return answered === questions.length ? "answered" : answered > 0 ? "partial" : "no_reply";
}

async function surveyWithFollowUps(n: number): Promise<{ sim: Simulator; f: Fixture; first: string; second: string }> {
  const sim = await startSimulator({
    credentials: SIMULATOR_CREDENTIALS,
    rate: 0,
    flowDefinitions: [surveyFlow(FLOW_SID), surveyFlow(OTHER_FLOW_SID), surveyFlow(THIRD_FLOW_SID)],
    replyRate: 0.5,
    undeliveredRate: 0.1,
    optOutRate: 0.15,
    surveyMs: 150,
    seed: 11,
  });
  const f = await makeFixture(surveyCsv(phoneNumbers(n)), { columns: SURVEY_COLUMNS, parameters: { survey: "q4" } });
  const first = path.join(f.dir, "reminder.json");
  const second = path.join(f.dir, "last-call.json");
  await writeFile(
    first,
    JSON.stringify({
      name: "reminder",
      flowSid: OTHER_FLOW_SID,
      from: "+15017122662",
      parameters: { survey: "q4-reminder" },
      followUpOf: { campaign: "campaign.json", outcomes: ["no_reply", "partial"], after: "1s" },
    }),
  );
  await writeFile(
    second,
    JSON.stringify({
      name: "last-call",
      flowSid: THIRD_FLOW_SID,
      from: "+15017122663",
      followUpOf: { campaign: "reminder.json", outcomes: ["no_reply"], after: "1s" },
    }),
  );
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  const ran = await runCli(["run", f.campaignPath, "--studio-url", sim.url, ...UNPACED]);
  expect(ran.code, ran.stderr).toBe(0);
  await new Promise((r) => setTimeout(r, 1_100)); // every survey ended, and `after` (1 s) passed
  return { sim, f, first, second };
}

const urls = (sim: Simulator) => ["--studio-url", sim.url, "--api-url", sim.url];

describe.concurrent("follow-up campaigns (docs/reference.md §13)", () => {
  it("run before the source's results were ever collected: collects them, then reaches exactly the no_reply and partial contacts; a rerun creates nothing", async () => {
    const { sim, f, first } = await surveyWithFollowUps(40);
    expect(sim.stats.requests.steps).toBe(0); // nobody ran `results` on the source
    const validate = await runCli(["validate", first, "--json"]);
    // Offline, the source's states were never read: every contact waits (a survey may still run).
    expect(JSON.parse(validate.stdout).followUp.byVerdict["waiting-active"], validate.stdout).toBe(40);
    const ran = await runCli(["run", first, ...urls(sim), "--json"]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toMatch(/follow-up: 40 outcome\(s\) of test-campaign collected/);
    const source = sim.executions().filter((e) => e.flowSid === FLOW_SID);
    const expected = source.filter((e) => ["no_reply", "partial"].includes(playedOutcome(e))).map((e) => e.to);
    const reminded = sim.executions().filter((e) => e.flowSid === OTHER_FLOW_SID);
    expect(reminded.map((e) => e.to).sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(5);
    // Each keeps its source row's Parameters, under the follow-up's own static ones.
    const byTo = new Map(source.map((e) => [e.to, e]));
    for (const e of reminded) expect(e.parameters).toEqual({ ...byTo.get(e.to)!.parameters, survey: "q4-reminder" });
    // The list it keeps is personal data.
    expect((await stat(path.join(f.dir, "reminder.contacts.csv"))).mode & 0o777).toBe(0o600);
    const before = sim.stats.created;
    const again = await runCli(["run", first, ...urls(sim), "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).thisRun.requests).toBe(0);
    expect(sim.stats.created).toBe(before);
  });

  it("a chain of two follow-ups, and the merged report shows every wave beside the source's rows", async () => {
    const { sim, f, first, second } = await surveyWithFollowUps(40);
    expect((await runCli(["run", first, ...urls(sim)])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1_100));
    const chained = await runCli(["run", second, ...urls(sim)]);
    expect(chained.code, chained.stderr).toBe(0);
    const firstWave = sim.executions().filter((e) => e.flowSid === OTHER_FLOW_SID);
    const expected = firstWave.filter((e) => playedOutcome(e) === "no_reply").map((e) => e.to);
    const lastCall = sim.executions().filter((e) => e.flowSid === THIRD_FLOW_SID);
    expect(lastCall.map((e) => e.to).sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(0);
    expect((await runCli(["results", first, ...urls(sim)])).code).toBe(0);

    const merged = await runCli(["report", f.campaignPath, "--follow-up", first, "--follow-up", second]);
    expect(merged.code, merged.stderr).toBe(0);
    const rows = parseCsv(merged.stdout);
    const header = merged.stdout.split(/\r?\n/)[0]!.split(",");
    expect(header.slice(-8)).toEqual([
      "reminder.status",
      "reminder.outcome",
      "reminder.ask_rating",
      "reminder.ask_comment",
      "last-call.status",
      "last-call.outcome",
      "last-call.ask_rating",
      "last-call.ask_comment",
    ]);
    expect(rows).toHaveLength(40);
    const waves = new Map(firstWave.map((e) => [e.to, e]));
    for (const row of rows) {
      const wave = waves.get(row.to!);
      expect(row["reminder.status"]).toBe(wave ? "created" : "");
      expect(row["reminder.outcome"]).toBe(wave ? playedOutcome(wave) : "");
      expect(row["last-call.status"]).toBe(expected.includes(row.to!) ? "created" : "");
      expect(["no_reply", "partial"].includes(row.outcome!)).toBe(wave !== undefined);
    }
    // The follow-up's own report names the source rows.
    const own = parseCsv((await runCli(["report", first])).stdout);
    const sourceRows = new Map(rows.map((r) => [r.to, r.row]));
    for (const row of own) expect(row.row).toBe(sourceRows.get(row.to));
  });

  it("validate says who qualifies now and who waits for after; --follow-up must name a follow-up", async () => {
    const { sim, f, first } = await surveyWithFollowUps(20);
    expect((await runCli(["results", f.campaignPath, ...urls(sim)])).code).toBe(0);
    const body = JSON.parse(await readFile(first, "utf8"));
    await writeFile(first, JSON.stringify({ ...body, followUpOf: { ...body.followUpOf, after: "2d" } }));
    const waiting = await runCli(["validate", first]);
    expect(waiting.code, waiting.stderr).toBe(0);
    expect(waiting.stdout).toMatch(
      /Follow-up of test-campaign \(no_reply, partial, after 2d\): 0 qualify now \(0 new\), \d+ waiting for after \(the next at 20/,
    );
    const ran = await runCli(["run", first, ...urls(sim), "--json"]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout).thisRun.created).toBe(0);
    const bad = await runCli(["report", f.campaignPath, "--follow-up", f.campaignPath]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a follow-up campaign/);
  });
});

describe.concurrent("a follow-up of a standing campaign (docs/reference.md §13, §16): a reminder is its source row", () => {
  it("follows up each reminder (a person reminded of two appointments, twice), never one whose appointment was cancelled or moved; the merged report matches by reminder", async () => {
    const sim = await startSimulator({
      credentials: SIMULATOR_CREDENTIALS,
      rate: 0,
      flowDefinitions: [surveyFlow(FLOW_SID), surveyFlow(OTHER_FLOW_SID)],
      replyRate: 0, // nobody answers: every reminder's outcome is no_reply
      // Each reminder's Execution stays active 1.5 s: K2's create in the same run meets K1's (409) however
      // slowly a loaded machine dispatches the two (at 100 ms, a busy core let K1's end first).
      surveyMs: 1_500,
      seed: 3,
    });
    const now = Date.now();
    const at = (hours: number) => new Date(now + hours * HOUR).toISOString().slice(0, 16); // UTC, the window's zone
    const [p1, p2, p3, p4] = phoneNumbers(4);
    const rows = (moved: boolean, cancelled: boolean) =>
      [
        `K1,${p1},${at(2)}`,
        `K2,${p1},${at(3)}`, // the same person's second appointment: waits for the first reminder to end (409)
        `K3,${p2},${at(2)}`,
        ...(cancelled ? [] : [`K4,${p3},${at(2)}`]),
        `K5,${p4},${at(moved ? 30 : 2)}`,
      ].map((r) => `${r},Pat`);
    const csv = (lines: string[]) => `appointment_id,to,appointment_at,first_name\n${lines.join("\n")}\n`;
    const f = await makeFixture(csv(rows(false, false)), {
      name: "clinic",
      schedule: { key: "appointment_id", at: "appointment_at", reminders: [{ name: "day-before", before: "1d" }] },
      window: { timezone: "UTC", start: "00:00", end: "24:00" },
    });
    cleanups.push(
      () => sim.close(),
      () => f.cleanup(),
    );
    const followUp = path.join(f.dir, "no-answer.json");
    await writeFile(
      followUp,
      JSON.stringify({
        name: "no-answer",
        flowSid: OTHER_FLOW_SID,
        from: "+15017122662",
        followUpOf: { campaign: "campaign.json", outcomes: ["no_reply"], after: "1s" },
      }),
    );
    expect((await runCli(["run", f.campaignPath, "--studio-url", sim.url])).code).toBe(75); // K2 waits on the busy number
    await new Promise((r) => setTimeout(r, 1_600));
    const second = await runCli(["run", f.campaignPath, "--studio-url", sim.url]);
    expect(second.code, second.stdout).toBe(0);
    expect(sim.executions()).toHaveLength(5);
    await new Promise((r) => setTimeout(r, 1_600)); // every reminder's Execution ended, `after` passed
    // The booking system re-exports: K4 cancelled, K5 moved to tomorrow (its new time not reminded yet).
    await writeFile(path.join(f.dir, "contacts.csv"), csv(rows(true, true)));
    const ran = await runCli(["run", followUp, ...urls(sim)]);
    expect([0, 75]).toContain(ran.code);
    expect(ran.stderr).toMatch(/follow-up: 5 outcome\(s\) of clinic collected/);
    expect(ran.stdout + ran.stderr).toMatch(/3 qualify now \(3 new\).*2 whose appointment was cancelled or moved since/);
    const list = parseCsv(await readFile(path.join(f.dir, "no-answer.contacts.csv"), "utf8"));
    expect(list.map((r) => `${r.source_key}|${r.source_reminder}|${r.to}|${r.reminder}|${r.appointment_id}`)).toEqual([
      `K1|day-before|${p1}|day-before|K1`,
      `K2|day-before|${p1}|day-before|K2`,
      `K3|day-before|${p2}|day-before|K3`,
    ]);
    const followed = sim.executions().filter((e) => e.flowSid === OTHER_FLOW_SID);
    expect(followed.map((e) => e.parameters?.appointment_id).sort()).toEqual(
      // K2's follow-up meets K1's, still active, on the same number: skipped by the follow-up's own policy (skip), or created.
      followed.length === 3 ? ["K1", "K2", "K3"] : ["K1", "K3"],
    );
    const merged = parseCsv((await runCli(["report", f.campaignPath, "--follow-up", followUp])).stdout);
    const line = (r: Record<string, string>) => `${r.key}|${r.row}|${r.status}|${r["no-answer.status"]}`;
    const k2 = merged.find((r) => r.key === "K2")!["no-answer.status"];
    expect(["created", "conflict_skipped"]).toContain(k2);
    expect(merged.map(line).sort()).toEqual(
      [
        "K1|1|created|created",
        `K2|2|created|${k2}`,
        "K3|3|created|created",
        "K4||created|", // reminded, then cancelled: not followed up
        "K5|4|pending|", // its new time, not due yet
        "K5||created|", // reminded for its old time, then moved: not followed up
      ].sort(),
    );
    // The follow-up's own report names the reminder each row follows up.
    const own = parseCsv((await runCli(["report", followUp])).stdout);
    expect(own.map((r) => `${r.key}|${r.reminder}|${r.to}`).sort()).toEqual([
      `K1|day-before|${p1}`,
      `K2|day-before|${p1}`,
      `K3|day-before|${p2}`,
    ]);
  });
});
