import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { SimulatedFlow } from "../../src/simulator/flows.js";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { makeFixture, phoneNumbers, runCli, type Fixture } from "../helpers/cli.js";
import { childEnv, FLOW_SID, OTHER_FLOW_SID, SIMULATOR_CREDENTIALS } from "../helpers/env.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const surveyStates = (triggerNext: string | undefined) => [
  {
    name: "Trigger",
    type: "trigger",
    transitions: [{ event: "incomingMessage" }, { event: "incomingRequest", ...(triggerNext ? { next: triggerNext } : {}) }],
    properties: {},
  },
  {
    name: "ask_rating",
    type: "send-and-wait-for-reply",
    transitions: [{ event: "incomingMessage", next: "thanks" }, { event: "timeout" }],
    properties: { body: "Hi {{flow.data.first_name}}, how was your visit on {{ flow.data.appointment_at }}?", timeout: "3600" },
  },
  {
    name: "thanks",
    type: "send-message",
    transitions: [{ event: "sent" }],
    properties: { body: 'Thanks, {{flow.data.first_name}} — {{ flow.data.clinic | default: "our clinic" }}' },
  },
];

const surveyFlow = (extra: Partial<SimulatedFlow> = {}): SimulatedFlow => ({
  sid: FLOW_SID,
  friendly_name: "Survey",
  status: "published",
  revision: 2,
  definition: { initial_state: "Trigger", states: surveyStates("ask_rating") },
  ...extra,
});

async function setup(
  flows: SimulatedFlow[],
  columns: string[],
  campaign: Record<string, unknown> = {},
): Promise<{ sim: Simulator; f: Fixture }> {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, flowDefinitions: flows });
  const rows = phoneNumbers(4).map((n, i) => [n, ...columns.map((c) => `${c}-${i}`)].join(","));
  const f = await makeFixture(`to,${columns.join(",")}\n${rows.join("\n")}\n`, campaign);
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  return { sim, f };
}

const run = (f: Fixture, sim: Simulator, ...flags: string[]) => runCli(["run", f.campaignPath, "--studio-url", sim.url, ...flags]);

describe("flow preflight before the first create (docs/reference.md §10)", () => {
  it("a key the flow uses and the campaign never sends: exit 2 naming key and widget, 0 creates; with the key added the same campaign runs", async () => {
    const { sim, f } = await setup([surveyFlow()], ["first_name"]);
    const refused = await run(f, sim);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /refused: .*flow\.data\.appointment_at is used by widget ask_rating but the campaign never sends "appointment_at"/,
    );
    expect(refused.stderr).toMatch(/nothing was sent/);
    expect(sim.stats.createArrivals).toHaveLength(0);

    const fixed = await makeFixture(
      `to,first_name,appointment_at\n${phoneNumbers(4)
        .map((n, i) => `${n},Ann${i},2026-12-0${i + 1}`)
        .join("\n")}\n`,
    );
    cleanups.push(() => fixed.cleanup());
    const ran = await run(fixed, sim);
    expect(ran.code, ran.stderr).toBe(0);
    expect(sim.stats.created).toBe(4);
    expect(ran.stderr).toMatch(/preflight: flow FW\w+ "Survey", published revision 2; 1 question\(s\): ask_rating/);
    const ledger = (await readFile(fixed.ledgerPath, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { t: string });
    expect(ledger.find((e) => e.t === "flow")).toMatchObject({ sid: FLOW_SID, revision: 2, questions: ["ask_rating"] });
  });

  it("a key never sent that a column is, but for case and spaces: the refusal names the column (run and validate --online)", async () => {
    const { sim, f } = await setup([surveyFlow()], ["first_name", "Appointment At"], { columns: { parameters: ["first_name"] } });
    for (const argv of [["run"], ["validate", "--online"]]) {
      const refused = await runCli([argv[0]!, f.campaignPath, ...argv.slice(1), "--studio-url", sim.url]);
      expect(refused.code).toBe(2);
      expect(refused.stdout + refused.stderr).toMatch(/never sends "appointment_at" .*; did you mean the column "Appointment At"\?/);
    }
    expect(sim.stats.createArrivals).toHaveLength(0);
  });

  it("a flow that is not on the account: exit 2 naming the SID, 0 creates", async () => {
    const { sim, f } = await setup([surveyFlow({ sid: OTHER_FLOW_SID })], ["first_name", "appointment_at"]);
    const result = await run(f, sim);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`flow ${FLOW_SID} does not exist on this account (404)`);
    expect(sim.stats.createArrivals).toHaveLength(0);
  });

  it("a REST API trigger that leads nowhere: exit 2, 0 creates", async () => {
    const { sim, f } = await setup([surveyFlow({ definition: { states: surveyStates(undefined) } })], ["first_name", "appointment_at"]);
    const result = await run(f, sim);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/REST API trigger \(incomingRequest of the Trigger widget\) leads to no widget/);
    expect(sim.stats.createArrivals).toHaveLength(0);
  });

  it("a flow never published: exit 2, 0 creates", async () => {
    const { sim, f } = await setup([surveyFlow({ status: "draft" })], ["first_name", "appointment_at"]);
    const result = await run(f, sim);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/has no published revision/);
    expect(sim.stats.createArrivals).toHaveLength(0);
  });

  it("judges the published revision, not a newer draft, and warns about the draft and unused parameters", async () => {
    // The draft drops appointment_at; the published revision (what contacts run) still uses it.
    const draft = { states: [surveyStates("thanks")[0], surveyStates("thanks")[2]] };
    const flow = surveyFlow({
      status: "draft",
      revision: 3,
      definition: draft,
      published: { revision: 2, definition: { states: surveyStates("ask_rating") } },
    });
    const { sim, f } = await setup([flow], ["first_name", "appointment_at", "unused_col"]);
    const result = await run(f, sim);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: flow FW\w+ has a draft \(revision 3\) newer than the published revision 2/);
    expect(result.stderr).toMatch(/warning: the campaign sends "unused_col" but .* never uses flow\.data\.unused_col/);
    expect(sim.stats.created).toBe(4);
  });

  it("a message asking for CANCEL as an answer: run and validate --online warn naming the widget, and the run sends (docs/reference.md §19)", async () => {
    const states = surveyStates("ask_rating");
    states[1] = {
      ...states[1]!,
      properties: { body: "Hi {{flow.data.first_name}}, reply YES to confirm or CANCEL to cancel.", timeout: "3600" },
    };
    const { sim, f } = await setup([surveyFlow({ definition: { initial_state: "Trigger", states } })], ["first_name"]);
    const warning =
      /warning: flow FW\w+ \(published revision 2\): widget ask_rating asks for "CANCEL" as a reply: Twilio opts a contact who replies CANCEL out of every message from this sender/;
    const result = await run(f, sim);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(warning);
    expect(sim.stats.created).toBe(4);
    const online = await runCli(["validate", f.campaignPath, "--online", "--studio-url", sim.url]);
    expect(`${online.stdout}${online.stderr}`).toMatch(warning);
  });

  it("--no-preflight skips it; plain validate sends no request; validate --online refuses like run", async () => {
    const { sim, f } = await setup([surveyFlow()], ["first_name"]);
    expect((await run(f, sim, "--no-preflight")).code).toBe(0);
    expect(sim.stats.requests.flow).toBe(0);
    expect(sim.stats.created).toBe(4);
    const offline = await runCli(["validate", f.campaignPath], { env: { PATH: process.env.PATH } }); // no credentials at all
    expect(offline.code).toBe(0);
    expect(sim.stats.requests.flow).toBe(0);
    const online = await runCli(["validate", f.campaignPath, "--online", "--studio-url", sim.url]);
    expect(online.code).toBe(2);
    expect(online.stdout).toMatch(/flow\.data\.appointment_at is used by widget ask_rating/);
  });

  it("401 on the flow: exit 77", async () => {
    const { sim, f } = await setup([surveyFlow()], ["first_name", "appointment_at"]);
    const result = await runCli(["run", f.campaignPath, "--studio-url", sim.url], { env: childEnv({ TWILIO_AUTH_TOKEN: "wrong" }) });
    expect(result.code).toBe(77);
    expect(sim.stats.createArrivals).toHaveLength(0);
  });

  it("runs against a flow whose definition is as Twilio's API returns it (fixture), and refuses when one of its keys is missing", async () => {
    const fixture = JSON.parse(
      readFileSync(new URL("../fixtures/flows/appointment-reminder.json", import.meta.url), "utf8"),
    ) as SimulatedFlow;
    const all = ["first_name", "appointment_at", "language", "tier", "patient_id"];
    const { sim, f } = await setup([{ ...fixture, sid: FLOW_SID }], all);
    const ok = await run(f, sim);
    expect(ok.code, ok.stderr).toBe(0);
    expect(sim.stats.created).toBe(4);
    const short = await makeFixture(
      `to,first_name,appointment_at,tier,patient_id\n${phoneNumbers(2, 3000)
        .map((n) => `${n},a,b,c,d`)
        .join("\n")}\n`,
      { name: "short" },
    );
    cleanups.push(() => short.cleanup());
    const refused = await run(short, sim);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/flow\.data\.language is used by widget set_defaults/);
    expect(refused.stderr).not.toMatch(/flow\.data\.(clinic|campaign_name)/); // always under a default filter
  });

  it("a cron rerun with nothing to send skips it: exit 0 even while Studio is unreachable", async () => {
    const { sim, f } = await setup([surveyFlow()], ["first_name", "appointment_at"]);
    expect((await run(f, sim)).code).toBe(0);
    const flowReads = sim.stats.requests.flow;
    const rerun = await runCli(["run", f.campaignPath, "--studio-url", "http://127.0.0.1:1"]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).not.toMatch(/preflight/);
    expect(sim.stats.requests.flow).toBe(flowReads);
  });
});
