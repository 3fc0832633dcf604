import { writeFile } from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/simulator/server.js";
import type { SimulatedFlow } from "../../src/simulator/flows.js";
import { StudioClient } from "../../src/studio/client.js";
import { runCliProcess } from "../helpers/cli.js";
import { accountCredentials, FLOW_SID, SIMULATOR_CREDENTIALS } from "../helpers/env.js";
import { say, split, trigger } from "../helpers/flow-shapes.js";

/** The simulator runs flows as Studio does (docs/reference.md §18), through the interpreter `preview` uses. */
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const reminderFlow: SimulatedFlow = {
  sid: FLOW_SID,
  friendly_name: "Reminders",
  status: "published",
  revision: 2,
  definition: {
    initial_state: "Trigger",
    states: [
      trigger("by_reminder"),
      split("by_reminder", "{{flow.data.reminder}}", [["equal_to", "visit-survey", "survey"]], "confirm"),
      say(
        "confirm",
        "{% if flow.data.reminder == 'two-hours' %}See you soon{% else %}Reminder{% endif %}, {{flow.data.first_name | capitalize}}",
      ),
      say("survey", "How was your visit, {{flow.data.first_name | capitalize}}?"),
    ],
  },
};

describe("the simulator plays flows with the interpreter", () => {
  it("each reminder takes its own branch; Context and Steps show the rendered message; --log has each create and message", async () => {
    const log: Array<Record<string, unknown>> = [];
    const sim = await startSimulator({
      credentials: SIMULATOR_CREDENTIALS,
      rate: 0,
      autoEndMs: 1,
      surveyMs: 1,
      flowDefinitions: [reminderFlow],
      log: (e) => log.push(e),
    });
    cleanups.push(() => sim.close());
    const client = new StudioClient({ baseUrl: sim.url, credentials: accountCredentials() });
    cleanups.push(() => client.close());
    const bodies: string[] = [];
    for (const [i, reminder] of ["day-before", "two-hours", "visit-survey"].entries()) {
      const execution = await client.createExecution(FLOW_SID, {
        to: `+1415555100${i}`,
        from: "+15017122661",
        parameters: { first_name: "dana", reminder },
      });
      await new Promise((resolve) => setTimeout(resolve, 5)); // ended (surveyMs 1)
      const { context } = await client.fetchExecutionContext(FLOW_SID, execution.sid);
      const widgets = (context as { widgets: Record<string, { outbound: { Body: string } }> }).widgets;
      bodies.push(
        Object.entries(widgets)
          .map(([name, w]) => `${name}: ${w.outbound.Body}`)
          .join(" | "),
      );
      const steps = await client.fetchExecutionSteps(FLOW_SID, execution.sid);
      expect(steps.steps.map((s) => s.name).reverse()).toEqual([
        "incomingRequest",
        reminder === "visit-survey" ? "match" : "noMatch",
        "sent",
      ]);
    }
    expect(bodies).toEqual(["confirm: Reminder, Dana", "confirm: See you soon, Dana", "survey: How was your visit, Dana?"]);
    expect(log.map((e) => (e.t === "message" ? `message ${String(e.widget)}: ${String(e.body)}` : `create ${String(e.to)}`))).toEqual([
      "create +14155551000",
      "message confirm: Reminder, Dana",
      "create +14155551001",
      "message confirm: See you soon, Dana",
      "create +14155551002",
      "message survey: How was your visit, Dana?",
    ]);
  });

  it("a flow it cannot run as Studio would is refused at start, naming the widget (exit 2)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "studio-campaign-flow-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const broken = structuredClone(reminderFlow) as SimulatedFlow & {
      definition: { states: Array<{ properties: Record<string, unknown> }> };
    };
    broken.definition.states[2]!.properties.body = "Hi {% if flow.data.x %}";
    await writeFile(path.join(dir, "broken.json"), JSON.stringify(broken));
    const result = await runCliProcess(["simulator", "--port", "0", "--flow", path.join(dir, "broken.json")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /cannot run these flows as Studio would:\n  flow FW\w+ \(Reminders\): widget confirm: invalid Liquid in its body: tag \{% if flow\.data\.x %\} not closed/,
    );
  });
});
