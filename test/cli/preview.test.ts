import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import type { SimulatedFlow } from "../../src/simulator/flows.js";
import { makeFixture, runCli, type Fixture } from "../helpers/cli.js";
import { FLOW_SID, SIMULATOR_CREDENTIALS } from "../helpers/env.js";
import { ask, say, split, trigger } from "../helpers/flow-shapes.js";

/** `preview` (docs/reference.md §18): what chosen contacts would read, as the flow would send it; nothing sent. */
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const surveyDefinition = {
  initial_state: "Trigger",
  states: [
    trigger("ask"),
    ask("ask", "Hi {{flow.data.first_name}}, how was your visit on {{flow.data.visit}}? Reply 1-5", "by_reply"),
    split("by_reply", "{{widgets.ask.inbound.Body}}", [["matches_any_of", "1,2", "sorry"]], "thanks"),
    say("thanks", "Thank you, {{flow.data.first_name}}!"),
    say("sorry", "We’re sorry to hear that. {{flow.data.clinic}} will call you."),
  ],
};

async function survey(): Promise<Fixture> {
  const f = await makeFixture(
    "to,first_name,visit,clinic\n+14155551000,Dana,1 December,Main St\n+14155551001,Eli,2026-12-01T09:00:00Z,\n+14155551002,Kai,3 December,Main St\n+14155551003,Ana,4 December,Main St\n",
    { columns: { parameters: ["first_name", "visit", "clinic"] } },
    { "flow.json": JSON.stringify({ sid: FLOW_SID, definition: surveyDefinition }) },
  );
  cleanups.push(() => f.cleanup());
  return f;
}

describe("preview through the CLI", () => {
  it("the first 3 rows a run would send: Parameters, each message with its count, and where it waits; offline with --flow-file", async () => {
    const f = await survey();
    const result = await runCli(["preview", f.campaignPath, "--flow-file", path.join(f.dir, "flow.json")], {
      env: { PATH: process.env.PATH ?? "" },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split("\n").slice(0, 9)).toEqual([
      "Row 1: To +14155551000 From +15017122661 (a run now would send it)",
      '  Parameters {"first_name":"Dana","visit":"1 December","clinic":"Main St"}',
      "  1. ask — 52 characters, GSM-7, 1 segment",
      "     │ Hi Dana, how was your visit on 1 December? Reply 1-5",
      "  Waits at ask for a reply (follow one with --reply ask=TEXT):",
      "     a reply matching none of the others → thanks",
      '     a reply matches any of "1,2" → sorry',
      "     no reply in time → the Execution ends",
      "     not delivered → the Execution ends",
    ]);
    expect(result.stdout.match(/^Row \d+/gm)).toEqual(["Row 1", "Row 2", "Row 3"]);
  });

  it("--reply follows a branch; the warnings: a machine timestamp, an empty value, UCS-2 and what it costs", async () => {
    const f = await survey();
    const flow = ["--flow-file", path.join(f.dir, "flow.json")];
    const low = await runCli(["preview", f.campaignPath, ...flow, "--rows", "2", "--reply", "ask=2", "--json"]);
    expect(low.code, low.stderr).toBe(0);
    const row = JSON.parse(low.stdout) as {
      row: number;
      messages: Array<{ widget: string; body: string; encoding: string; segments: number; warnings: string[] }>;
      stoppedAt: unknown;
    };
    expect(row.row).toBe(2);
    expect(row.stoppedAt).toBeUndefined();
    expect(row.messages.map((m) => [m.widget, m.body, m.encoding, m.segments])).toEqual([
      ["ask", "Hi Eli, how was your visit on 2026-12-01T09:00:00Z? Reply 1-5", "GSM-7", 1],
      ["sorry", "We’re sorry to hear that.  will call you.", "UCS-2", 1],
    ]);
    expect(row.messages[0]!.warnings).toEqual([
      'a machine timestamp in the text ("2026-12-01T09:00:00Z"): write it as people read it (schedule.display, for reminders)',
    ]);
    expect(row.messages[1]!.warnings).toEqual([
      "{{ flow.data.clinic }} rendered empty: the contact reads a blank there",
      "UCS-2 because of ’ (U+2019)",
    ]);
    // A long message: the curly apostrophe costs a segment.
    const long = "x".repeat(140);
    await writeFile(
      path.join(f.dir, "long.json"),
      JSON.stringify({ initial_state: "Trigger", states: [trigger("m"), say("m", `We’re ${long}`)] }),
    );
    const costly = await runCli(["preview", f.campaignPath, "--flow-file", path.join(f.dir, "long.json"), "--rows", "1", "--json"]);
    expect((JSON.parse(costly.stdout) as { messages: Array<{ warnings: string[] }> }).messages[0]!.warnings).toEqual([
      "UCS-2 because of ’ (U+2019): 3 segments instead of 1",
    ]);
  });

  it("a bad selection or flag: exit 2, naming it", async () => {
    const f = await survey();
    const flow = ["--flow-file", path.join(f.dir, "flow.json")];
    for (const [args, message] of [
      [["--rows", "9"], /row\(s\) 9: no sendable row of that number/],
      [["--rows", "x"], /--rows must be record numbers and ranges such as 1,5-7/],
      [["--reply", "ask"], /--reply must be WIDGET=TEXT/],
      [["--at", "2026-12-01T09:00"], /--at must be an ISO 8601 date-time with an offset/],
    ] as const) {
      const result = await runCli(["preview", f.campaignPath, ...flow, ...args]);
      expect([result.code, result.stderr]).toEqual([2, expect.stringMatching(message)]);
    }
    const missing = await runCli(["preview", f.campaignPath, "--flow-file", path.join(f.dir, "nope.json")]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/nope\.json: cannot read the flow file/)]);
  });

  it("a standing campaign: --key, --reminder and --at choose the reminder; its own branch, the display time in the contact's locale", async () => {
    const reminderDefinition = {
      initial_state: "Trigger",
      states: [
        trigger("by_reminder"),
        split("by_reminder", "{{flow.data.reminder}}", [["equal_to", "two-hours", "soon"]], "confirm"),
        say("confirm", "{{flow.data.first_name}}: {{flow.data.when}}"),
        say("soon", "See you soon, {{flow.data.first_name}}"),
      ],
    };
    const f = await makeFixture(
      "id,to,at,first_name,lang\nA1,+14155551000,2026-12-04T10:00,Dana,es-US\nA2,+14155551001,2026-12-04T11:00,Eli,\n",
      {
        columns: { parameters: ["first_name"], locale: "lang" },
        window: { timezone: "America/Los_Angeles", start: "00:00", end: "24:00" },
        schedule: {
          key: "id",
          at: "at",
          display: { when: "EEEE d MMMM h:mm a" },
          reminders: [
            { name: "day-before", before: "1d", within: "12h" },
            { name: "two-hours", before: "2h" },
          ],
        },
      },
      { "flow.json": JSON.stringify({ definition: reminderDefinition }) },
    );
    cleanups.push(() => f.cleanup());
    const flow = ["--flow-file", path.join(f.dir, "flow.json")];
    const dayBefore = await runCli(["preview", f.campaignPath, ...flow, "--key", "A1", "--at", "2026-12-03T10:30:00-08:00", "--json"]);
    expect(dayBefore.code, dayBefore.stderr).toBe(0);
    expect(
      dayBefore.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { key: string; reminder: string; plan: string; messages: Array<{ body: string }> }),
    ).toEqual([
      expect.objectContaining({
        key: "A1",
        reminder: "day-before",
        plan: "send",
        messages: [expect.objectContaining({ body: expect.stringMatching(/^Dana: viernes 4 diciembre 10:00 a\.\s?m\.$/) })],
      }),
    ]);
    const twoHoursAt = (at: string) => runCli(["preview", f.campaignPath, ...flow, "--key", "A2", "--reminder", "two-hours", "--at", at]);
    const soon = await twoHoursAt("2026-12-04T09:00:00-08:00");
    expect(soon.stdout).toContain("│ See you soon, Eli");
    const notDue = await twoHoursAt("2026-12-01T09:00:00-08:00");
    expect([notDue.code, notDue.stderr]).toEqual([
      2,
      expect.stringMatching(/no appointment "A2" with a "two-hours" reminder to preview at the time previewed/),
    ]);
  });

  it("reads the published flow from Studio (the simulator) and creates no Execution", async () => {
    const f = await survey();
    const flow: SimulatedFlow = { sid: FLOW_SID, friendly_name: "Survey", status: "published", revision: 1, definition: surveyDefinition };
    const sim: Simulator = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, flowDefinitions: [flow] });
    cleanups.push(() => sim.close());
    const result = await runCli(["preview", f.campaignPath, "--studio-url", sim.url, "--rows", "1", "--reply", "ask=5"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("  2. thanks — 16 characters, GSM-7, 1 segment\n     │ Thank you, Dana!");
    expect(sim.executions()).toEqual([]);
    // validate --online: the segments the first contacts' messages take, against rate.messagesPerContact.
    const validate = await runCli(["validate", f.campaignPath, "--online", "--studio-url", sim.url]);
    expect(validate.stdout).toContain("Segments: up to 1 a contact (the first 3 previewed, to the flow's first wait for a reply)");
    expect(validate.stdout).not.toMatch(/warning: a contact's messages take/);
    const long = structuredClone(surveyDefinition);
    long.states[1] = ask("ask", `We’re asking ${"x".repeat(140)}`, "by_reply");
    const costly: SimulatedFlow = { ...flow, definition: long };
    const sim2 = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, flowDefinitions: [costly] });
    cleanups.push(() => sim2.close());
    const warned = await runCli(["validate", f.campaignPath, "--online", "--studio-url", sim2.url]);
    expect(warned.stdout).toMatch(
      /warning: a contact's messages take 3 segments but rate\.messagesPerContact is 1: .* set rate\.messagesPerContact to 3/,
    );
  });
});
