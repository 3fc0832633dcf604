import { describe, expect, it, onTestFinished } from "vitest";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { systemClock, type Clock } from "../../../src/clock.js";
import { loadCampaign } from "../../../src/campaign/load-campaign.js";
import { collectResults } from "../../../src/engine/results/collect-results.js";
import { openExecutionsSession } from "../../../src/engine/results/executions-session.js";
import { startSimulator, type Simulator } from "../../../src/simulator/server.js";
import type { ScriptedContact } from "../../../src/simulator/options.js";
import { makeFixture, parseCsv, runCli, type Fixture } from "../../helpers/cli.js";
import { accountCredentials, childEnv, FLOW_SID, SIMULATOR_CREDENTIALS } from "../../helpers/env.js";
import { ask, say, trigger } from "../../helpers/flow-shapes.js";
import { runInProcess } from "../../helpers/run.js";

/**
 * Replies the booking system gets back (docs/reference.md §19), on the simulator with scripted
 * contacts, each command on the test's clock: a reminder run, `results` a day later (late replies
 * looked up once past `lateWithin`), the report's intent cells, and the next reminder cancelled for
 * an appointment whose contact replied cancel — until the export moves it.
 */
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / 1000) * 1000;
const clockAt = (ms: number): Clock => ({ now: () => ms, sleep: systemClock.sleep });
const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/** Each appointment's contact: how they answer, and the intent and `late` the report must show. */
const CONTACTS: Array<[string, ScriptedContact, string, string]> = [
  ["A01", { reply: "C" }, "confirmed", "false"],
  ["A02", { reply: "yes!!" }, "confirmed", "false"],
  ["A03", { reply: "Confirm" }, "confirmed", "false"],
  ["A04", { reply: "confrim" }, "confirmed", "false"],
  ["A05", { reply: "x" }, "cancel", "false"],
  ["A06", { reply: "Cancel please" }, "cancel", "false"],
  ["A07", { reply: "cancle" }, "cancel", "false"],
  ["A08", { reply: "R" }, "reschedule", "false"],
  ["A09", { reply: "maybe" }, "unrecognized", "false"],
  ["A10", { reply: "STOP" }, "opted_out", "false"],
  ["A11", { reply: null }, "", ""],
  ["A12", { reply: null, late: [{ body: "c", afterMs: 2 * HOUR }] }, "confirmed", "true"],
  ["A13", { reply: null, late: [{ body: "c", afterMs: 30 * HOUR }] }, "", ""],
];
const number = (i: number) => `+1415555${String(2000 + i).padStart(4, "0")}`;
const APPOINTMENT = T0 + 48 * HOUR;

const REPLIES = {
  from: "widgets.confirm.inbound.Body",
  intents: {
    confirmed: ["c", "confirm", "yes", "y", "1"],
    cancel: ["x", "cancel", "no", "n", "2"],
    reschedule: ["r", "reschedule", "3"],
  },
  stopRemindersOn: ["cancel"],
};

function exportCsv(moved: Record<string, number> = {}): string {
  const rows = CONTACTS.map(([id], i) => `${id},${number(i)},${local(moved[id] ?? APPOINTMENT)}`);
  return `appointment_id,to,appointment_at\n${rows.join("\n")}\n`;
}

/** A simulator playing trigger → `confirm` (asks `question`) → thanks, its contacts' replies scripted. */
function askingSimulator(question: string, scriptedReplies: Record<string, ScriptedContact>): Promise<Simulator> {
  return startSimulator({
    credentials: SIMULATOR_CREDENTIALS,
    rate: 0,
    surveyMs: 1,
    flowDefinitions: [
      {
        sid: FLOW_SID,
        definition: {
          initial_state: "Trigger",
          states: [trigger("confirm"), ask("confirm", question, "thanks"), say("thanks", "Thank you")],
        },
      },
    ],
    scriptedReplies,
  });
}

async function setUp(): Promise<{ f: Fixture; sim: Simulator }> {
  const sim = await askingSimulator(
    "Reply C to confirm, X to cancel, R to reschedule",
    Object.fromEntries(CONTACTS.map(([, script], i) => [number(i), script])),
  );
  const f = await makeFixture(exportCsv(), {
    window: { timezone: "UTC", start: "00:00", end: "24:00" },
    schedule: {
      key: "appointment_id",
      at: "appointment_at",
      reminders: [
        { name: "first", before: "72h" },
        { name: "second", before: "2h" },
      ],
      minLead: "1h",
    },
    replies: REPLIES,
  });
  onTestFinished(async () => {
    await sim.close();
    await f.cleanup();
  });
  return { f, sim };
}

async function results(f: Fixture, sim: Simulator, now: number) {
  const campaign = await loadCampaign(f.campaignPath);
  await using session = await openExecutionsSession({
    campaign,
    credentials: accountCredentials(),
    urls: { studio: sim.url, api: sim.url },
    clock: clockAt(now),
  });
  return await collectResults(session, { columns: [], includeActive: false, accountSid: accountCredentials().accountId });
}

async function report(f: Fixture) {
  const out = await runCli(["report", f.campaignPath], { env: childEnv() });
  expect(out.code).toBe(0);
  return parseCsv(out.stdout);
}

describe("replies: intents in the report, late replies, and no reminder after a cancel (docs/reference.md §19)", () => {
  it("each contact's intent and late flag are right; a cancel stops the next reminder (cancelled, the reply named); a moved appointment is reminded again", async () => {
    const { f, sim } = await setUp();
    const campaign = await loadCampaign(f.campaignPath);
    const first = await runInProcess(campaign, sim.url, { clock: clockAt(T0) });
    expect(first.counts.created).toBe(13);

    // A day later: the replies in the Contexts, and late ones for those past lateWithin (24h) with none.
    const pass = await results(f, sim, T0 + 25 * HOUR);
    expect(pass.lateLookups).toBe(3); // A11, A12, A13: only A12 replied in time (2 hours after)
    expect(pass.lateFound).toBe(1);
    expect(pass.replies?.counts).toEqual([
      { intent: "confirmed", count: 5 },
      { intent: "cancel", count: 3 },
      { intent: "reschedule", count: 1 },
      { intent: "ambiguous", count: 0 },
      { intent: "unrecognized", count: 1 },
      { intent: "opted_out", count: 1 },
    ]);
    // Looked up once: the next pass asks the Messages resource nothing.
    const again = await results(f, sim, T0 + 26 * HOUR);
    expect([again.lateLookups, again.messageListRequests]).toEqual([0, 0]);

    const rows = await report(f);
    const firsts = rows.filter((r) => r.reminder === "first");
    expect(Object.keys(rows[0]!).slice(17, 25)).toEqual([
      "key",
      "reminder",
      "appointment_at",
      "due_at",
      "intent",
      "reply",
      "replied_at",
      "late",
    ]);
    expect(firsts.map((r) => [r.key, r.intent, r.late])).toEqual(CONTACTS.map(([id, , intent, late]) => [id, intent, late]));
    // The simulator dates the late message 2 hours after it made the Execution (the test's T0, to the second or so).
    const late = firsts.find((r) => r.key === "A12")!;
    expect(late.reply).toBe("c");
    expect(Date.parse(late.replied_at!) - (T0 + 2 * HOUR)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(late.replied_at!) - (T0 + 2 * HOUR)).toBeLessThan(60_000);
    expect(firsts.find((r) => r.key === "A06")?.reply).toBe("Cancel please");

    // The second reminders come due: none for the three who cancelled; A05's appointment moves, and is reminded again.
    const moved = APPOINTMENT + 4 * HOUR;
    await writeFile(path.join(f.dir, "contacts.csv"), exportCsv({ A05: moved }));
    const second = await runInProcess(await loadCampaign(f.campaignPath), sim.url, { clock: clockAt(APPOINTMENT - 2 * HOUR + 60_000) });
    const sentSecond = sim
      .executions()
      .filter((e) => e.parameters?.reminder === "second")
      .map((e) => String(e.parameters?.appointment_id));
    // A05 moved (its new time's second reminder not due yet), A06 and A07 cancelled, A10 opted out (STOP).
    expect(sentSecond.sort()).toEqual(["A01", "A02", "A03", "A04", "A08", "A09", "A11", "A12", "A13"]);
    expect(second.counts).toMatchObject({ opted_out: 1 });
    expect(second.schedule?.cancelled).toBe(2);
    const after = await report(f);
    const cancelled = after.filter((r) => r.reminder === "second" && r.status === "cancelled");
    expect(cancelled.map((r) => r.key).sort()).toEqual(["A06", "A07"]);
    expect(cancelled.find((r) => r.key === "A06")?.error_message).toMatch(/^replied cancel at .* \("Cancel please"\): not sent$/);
    // A05 moved: its new time's reminders are due again (the first one at once, the second at its time).
    const third = await runInProcess(await loadCampaign(f.campaignPath), sim.url, { clock: clockAt(moved - 2 * HOUR + 60_000) });
    expect(third.counts.created).toBeGreaterThan(0);
    const a05 = sim
      .executions()
      .filter((e) => e.parameters?.appointment_id === "A05")
      .map((e) => String(e.parameters?.reminder));
    expect(a05).toEqual(["first", "first", "second"]);
  });
});

describe("replies in a survey (docs/reference.md §19)", () => {
  it("the report's reply columns follow the outcome columns, per contact row; confirmations' key is the row", async () => {
    const numbers = ["+14155553001", "+14155553002", "+14155553003"];
    const sim = await askingSimulator("Coming? Reply Y or N", {
      [numbers[0]!]: { reply: "Y" },
      [numbers[1]!]: { reply: "nope" },
      [numbers[2]!]: { reply: null },
    });
    const f = await makeFixture(`to,first_name\n${numbers.map((n) => `${n},Pat`).join("\n")}\n`, {
      replies: { from: "widgets.confirm.inbound.Body", intents: { yes: ["y", "yes"], no: ["n", "no"] } },
    });
    onTestFinished(async () => {
      await sim.close();
      await f.cleanup();
    });
    expect((await runInProcess(await loadCampaign(f.campaignPath), sim.url, { clock: clockAt(T0) })).counts.created).toBe(3);
    await results(f, sim, T0 + HOUR);
    const rows = await report(f);
    expect(Object.keys(rows[0]!).slice(14, 21)).toEqual([
      "outcome",
      "outcome_widget",
      "outcome_error_code",
      "intent",
      "reply",
      "replied_at",
      "late",
    ]);
    expect(rows.map((r) => [r.row, r.intent, r.reply, r.late])).toEqual([
      ["1", "yes", "Y", "false"],
      ["2", "unrecognized", "nope", "false"],
      ["3", "", "", ""],
    ]);
    const file = path.join(f.dir, "confirmations.jsonl");
    const out = await runCli(["confirmations", f.campaignPath, "--out", file, "--format", "jsonl"], { env: childEnv() });
    expect(out.code, out.stderr).toBe(0);
    const records = (await readFile(file, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(records.map((r) => [r.key, r.appointment_at, r.reminder, r.intent, r.to])).toEqual([
      ["1", "", "", "yes", numbers[0]],
      ["2", "", "", "unrecognized", numbers[1]],
    ]);
  });
});
