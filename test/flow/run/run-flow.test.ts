import { describe, expect, it } from "vitest";
import type { FlowDefinition } from "../../../src/flow/definition.js";
import { runFlow, type MessageFate } from "../../../src/flow/run/run-flow.js";
import { ask, say, split, trigger } from "../../helpers/flow-shapes.js";

const reminderFlow: FlowDefinition = {
  initial_state: "Trigger",
  states: [
    trigger("by_reminder"),
    split("by_reminder", "{{flow.data.reminder}}", [["equal_to", "visit-survey", "survey"]], "confirm"),
    say("confirm", "Hi {{flow.data.first_name}}, your visit with {{flow.data.provider}} is {{flow.data.appointment_time}}."),
    say("survey", "Hi {{flow.data.first_name}}, how was your visit with {{flow.data.provider}}?"),
  ],
};

const surveyFlow: FlowDefinition = {
  initial_state: "Trigger",
  states: [
    trigger("ask_confirm"),
    ask("ask_confirm", "Reply C to confirm or X to cancel", "by_reply"),
    split(
      "by_reply",
      "{{widgets.ask_confirm.inbound.Body}}",
      [
        ["matches_any_of", "c,confirm,yes", "confirmed"],
        ["matches_any_of", "x,cancel,no", "cancelled"],
      ],
      "unclear",
    ),
    say("confirmed", "Thanks, see you then!"),
    say("cancelled", "Cancelled. Call us to rebook."),
    say("unclear", "Sorry, we did not understand {{widgets.ask_confirm.inbound.Body}}."),
  ],
};

const variablesFlow: FlowDefinition = {
  initial_state: "Trigger",
  states: [
    trigger("set"),
    {
      name: "set",
      type: "set-variables",
      transitions: [{ event: "next", next: "note" }],
      properties: {
        variables: [
          { key: "clinic", value: "{{flow.data.clinic | default: 'Main Street' | upcase}}" },
          { key: "n", value: "2" },
        ],
      },
    },
    { name: "note", type: "make-http-request", transitions: [{ event: "success", next: "hello" }, { event: "failed" }], properties: {} },
    say("hello", "{{flow.variables.clinic}} ({{flow.variables.n}} visits)"),
  ],
};

const liquidFlow = (body: string): FlowDefinition => ({ initial_state: "Trigger", states: [trigger("m"), say("m", body)] });

const sent = (): MessageFate => ({ event: "sent" });
const replying =
  (reply: string) =>
  (_: unknown, widget: { type: string }): MessageFate =>
    widget.type === "send-and-wait-for-reply" ? { event: "incomingMessage", reply } : { event: "sent" };
const init = (data: Record<string, unknown>) => ({ to: "+14155550100", from: "+15017122661", data });
const bodies = (run: ReturnType<typeof runFlow>) => run.messages.map((m) => `${m.widget}: ${m.body}`);

describe("runFlow: each rendered body exact, on real flow shapes", () => {
  it.each([
    [
      "a reminder flow branching on flow.data.reminder: the confirmation",
      reminderFlow,
      { reminder: "day-before", first_name: "Dana", provider: "Dr. Ruiz", appointment_time: "Friday 4 December at 9:30 AM" },
      sent,
      ["confirm: Hi Dana, your visit with Dr. Ruiz is Friday 4 December at 9:30 AM."],
    ],
    [
      "… and the visit survey its own branch",
      reminderFlow,
      { reminder: "visit-survey", first_name: "Dana", provider: "Dr. Ruiz" },
      sent,
      ["survey: Hi Dana, how was your visit with Dr. Ruiz?"],
    ],
    [
      "a reply C: matches_any_of, case-insensitively",
      surveyFlow,
      {},
      replying("C"),
      ["ask_confirm: Reply C to confirm or X to cancel", "confirmed: Thanks, see you then!"],
    ],
    [
      "a reply 'cancel'",
      surveyFlow,
      {},
      replying("cancel"),
      ["ask_confirm: Reply C to confirm or X to cancel", "cancelled: Cancelled. Call us to rebook."],
    ],
    [
      "a reply no branch knows: noMatch, the reply read back",
      surveyFlow,
      {},
      replying("maybe"),
      ["ask_confirm: Reply C to confirm or X to cancel", "unclear: Sorry, we did not understand maybe."],
    ],
    [
      "set-variables read later through flow.variables; another widget type takes success",
      variablesFlow,
      {},
      sent,
      ["hello: MAIN STREET (2 visits)"],
    ],
    [
      "Liquid if/else, capitalize, downcase",
      liquidFlow(
        "{% if flow.data.reminder == 'two-hours' %}See you soon{% else %}Reminder{% endif %}, {{flow.data.name | capitalize}} ({{flow.data.code | downcase}})",
      ),
      { reminder: "two-hours", name: "dana", code: "ABC" },
      sent,
      ["m: See you soon, Dana (abc)"],
    ],
    [
      "default for an empty value",
      liquidFlow('At {{ flow.data.clinic | default: "our clinic" }}'),
      { clinic: "" },
      sent,
      ["m: At our clinic"],
    ],
    ["date", liquidFlow("{{ flow.data.at | date: '%b %-d, %Y' }}"), { at: "2026-12-04T15:25:00Z" }, sent, ["m: Dec 4, 2026"]],
    ["an unknown variable renders empty", liquidFlow("Hi {{flow.data.nope}}!"), {}, sent, ["m: Hi !"]],
    ["to_json", liquidFlow("{{flow.data | to_json}}"), { a: "1" }, sent, ['m: {"a":"1"}']],
  ])("%s", (_name, definition, data, fate, expected) => {
    expect(bodies(runFlow(definition, init(data), fate))).toEqual(expected);
  });

  it("stops where it waits for a reply, listing where each reply leads", () => {
    const run = runFlow(surveyFlow, init({}), () => ({ event: "wait" }));
    expect(bodies(run)).toEqual(["ask_confirm: Reply C to confirm or X to cancel"]);
    expect(run.waitingAt).toEqual({
      widget: "ask_confirm",
      branches: [
        { event: "incomingMessage", next: "unclear", when: "a reply matching none of the others" },
        { event: "incomingMessage", next: "confirmed", when: 'a reply matches any of "c,confirm,yes"' },
        { event: "incomingMessage", next: "cancelled", when: 'a reply matches any of "x,cancel,no"' },
        { event: "timeout", next: undefined, when: "no reply in time" },
        { event: "deliveryFailure", next: undefined, when: "not delivered" },
      ],
    });
  });

  it("notes the outputs that rendered empty, and a Liquid syntax error", () => {
    const empty = runFlow(
      liquidFlow("Hi {{flow.data.first_name}}, {{ flow.data.clinic | default: 'x' }} {% if a %}{{flow.data.z}}{% endif %}"),
      init({}),
      sent,
    );
    expect(empty.messages[0]!.empty).toEqual(["flow.data.first_name"]);
    const broken = runFlow(liquidFlow("Hi {% if flow.data.x %}"), init({}), sent);
    expect(broken.messages[0]!.error).toMatch(/not closed/);
  });

  it("Steps: the events taken, a widget it does not run noted", () => {
    const run = runFlow(variablesFlow, init({}), sent);
    expect(run.steps.map((s) => `${s.widget} ${s.event} → ${s.next ?? "Ended"}${s.note ? ` (${s.note})` : ""}`)).toEqual([
      "Trigger incomingRequest → set",
      "set next → note",
      'note success → hello (a make-http-request widget: not run, took "success")',
      "hello sent → Ended",
    ]);
  });
});
