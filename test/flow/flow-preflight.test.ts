import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findDataReferences, liquidUses } from "../../src/flow/data-references.js";
import { parseDefinition, restTriggerTarget, sendAndWaitWidgets, type FlowDefinition } from "../../src/flow/definition.js";
import { judgeFlow, type FlowSnapshot } from "../../src/flow/preflight-verdict.js";

describe("liquidUses: flow.data references in one string", () => {
  it.each([
    ["plain output", "Hi {{flow.data.first_name}}", [{ key: "first_name", defaulted: false }]],
    ["spaces inside", "Hi {{  flow.data.first_name  }}!", [{ key: "first_name", defaulted: false }]],
    ["whitespace control", "{{- flow.data.x -}}", [{ key: "x", defaulted: false }]],
    ["a filter that is not default", "{{ flow.data.at | date: '%H:%M' }}", [{ key: "at", defaulted: false }]],
    ["default, double quotes", '{{ flow.data.clinic | default: "our clinic" }}', [{ key: "clinic", defaulted: true }]],
    [
      "default, single quotes, after another filter",
      "{{ flow.data.clinic | upcase | default: 'x' }}",
      [{ key: "clinic", defaulted: true }],
    ],
    ["a pipe inside quotes is no filter", "{{ flow.data.a | append: '|default' }}", [{ key: "a", defaulted: false }]],
    ["a key in a filter argument is not defaulted", "{{ 'x' | append: flow.data.b | default: 'y' }}", [{ key: "b", defaulted: false }]],
    ["if tag", "{% if flow.data.vip %}VIP{% endif %}", [{ key: "vip", defaulted: false }]],
    [
      "two keys in one tag",
      "{% if flow.data.a == 'x' or flow.data.b %}",
      [
        { key: "a", defaulted: false },
        { key: "b", defaulted: false },
      ],
    ],
    ["assign with default", "{% assign c = flow.data.clinic | default: 'x' %}", [{ key: "clinic", defaulted: true }]],
    ["bracket form", '{{ flow.data["first-name"] }}', [{ key: "first-name", defaulted: false }]],
    ["REST trigger parameters", "{{trigger.request.parameters.tier}}", [{ key: "tier", defaulted: false }]],
    ["the whole object", "{{ flow.data | to_json }}", [{ key: undefined, defaulted: false }]],
    ["a nested path reads its first key", "{{flow.data.address.city}}", [{ key: "address", defaulted: false }]],
    [
      "a key that is a prefix of another",
      "{{flow.data.appt}} {{flow.data.appointment_at}}",
      [
        { key: "appt", defaulted: false },
        { key: "appointment_at", defaulted: false },
      ],
    ],
    ["a tag split across lines", "{%\n  if flow.data.vip\n%}VIP{% endif %}", [{ key: "vip", defaulted: false }]],
    [
      "an output split across lines, filter on the next",
      "{{ flow.data.first_name\n   | capitalize }}",
      [{ key: "first_name", defaulted: false }],
    ],
    ["whitespace-trimming tags", "{%- if flow.data.a -%}x{%- endif -%}", [{ key: "a", defaulted: false }]],
    [
      "default whose argument is an expression",
      "{{ flow.data.phone | default: contact.channel.address }}",
      [{ key: "phone", defaulted: true }],
    ],
    ["default, single-quoted", "{{ flow.data.clinic | default: 'our clinic' }}", [{ key: "clinic", defaulted: true }]],
    ["not flow.data outside Liquid", "flow.data.first_name", []],
    ["another object named like it", "{{ myflow.data.x }} {{ flow.variables.x }} {{ widgets.flow.data.y }}", []],
  ] as const)("%s", (_name, text, expected) => {
    expect(liquidUses(text)).toEqual(expected);
  });
});

const widget = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  transitions: [],
  properties: {},
  ...extra,
});
const trigger = (next: string | undefined) =>
  widget("Trigger", "trigger", { transitions: [{ event: "incomingMessage" }, { event: "incomingRequest", ...(next ? { next } : {}) }] });
const ask = (name: string, body: string, extra: Record<string, unknown> = {}) =>
  widget(name, "send-and-wait-for-reply", {
    properties: { body, timeout: "3600" },
    transitions: [{ event: "incomingMessage" }, { event: "timeout" }],
    ...extra,
  });

describe("findDataReferences: every string of every widget, nested too", () => {
  it("walks properties, nested arrays and transition conditions, and names the widgets", () => {
    const definition: FlowDefinition = {
      states: [
        trigger("a"),
        ask("a", "{{flow.data.x}}"),
        widget("b", "make-http-request", { properties: { parameters: [{ key: "k", value: "{{flow.data.x | default: 'd'}}" }] } }),
        widget("c", "split-based-on", {
          transitions: [{ event: "match", next: "a", conditions: [{ arguments: ["{{flow.data.y}}"], value: "1" }] }],
        }),
      ],
    };
    const refs = findDataReferences(definition);
    expect(refs.keys.get("x")).toEqual({ widgets: ["a", "b"], alwaysDefaulted: false });
    expect(refs.keys.get("y")).toEqual({ widgets: ["c"], alwaysDefaulted: false });
    expect(refs.wholeObjectBy).toEqual([]);
  });
});

describe("restTriggerTarget", () => {
  it.each([
    ["connected", [trigger("a"), ask("a", "q")], "a"],
    ["no next", [trigger(undefined), ask("a", "q")], undefined],
    ["next names no widget", [trigger("gone"), ask("a", "q")], undefined],
    ["no trigger widget", [ask("a", "q")], undefined],
  ] as const)("%s", (_name, states, expected) => {
    expect(restTriggerTarget({ states: states as unknown as FlowDefinition["states"] })).toBe(expected);
  });
});

const snapshot = (states: unknown[], extra: Partial<FlowSnapshot> = {}): FlowSnapshot => {
  const revision = { revision: 4, status: "published", definition: { states }, valid: true, errors: [], warnings: [] };
  return { flowSid: "FWx", friendlyName: "f", published: revision, latest: revision, ...extra };
};
const survey = [
  trigger("ask_rating"),
  ask("ask_rating", "Hi {{flow.data.first_name}}, rate your visit on {{flow.data.appointment_at}}"),
  ask("ask_comment", "Why?"),
];

describe("judgeFlow: refuse what would harm contacts, warn about the rest", () => {
  it.each([
    ["every key sent: no refusal", snapshot(survey), ["first_name", "appointment_at"], [], []],
    [
      "a key not sent: refused, naming key and widget",
      snapshot(survey),
      ["first_name"],
      [/flow\.data\.appointment_at is used by widget ask_rating but the campaign never sends "appointment_at"/],
      [],
    ],
    [
      "a sent key the flow never uses: a warning",
      snapshot(survey),
      ["first_name", "appointment_at", "survey"],
      [],
      [/sends "survey" but .* never uses flow\.data\.survey/],
    ],
    [
      "a REST trigger leading nowhere: refused",
      snapshot([trigger(undefined), ...survey.slice(1)]),
      ["first_name", "appointment_at"],
      [/REST API trigger \(incomingRequest/],
      [],
    ],
    ["never published: refused", snapshot(survey, { published: undefined }), [], [/has no published revision/], []],
    [
      "a newer draft: warned, the published revision judged",
      snapshot(survey, { latest: { revision: 5, status: "draft", definition: { states: [] }, valid: true, errors: [], warnings: [] } }),
      ["first_name", "appointment_at"],
      [],
      [/draft \(revision 5\) newer than the published revision 4/],
    ],
    [
      "Twilio's own errors and warnings: warned",
      snapshot(survey, {
        published: {
          revision: 4,
          status: "published",
          definition: { states: survey },
          valid: false,
          errors: [{ message: "bad widget", property_path: "#/states/1" }],
          warnings: ["w1"],
        },
      }),
      ["first_name", "appointment_at"],
      [],
      [/not valid/, /error .*bad widget \(#\/states\/1\)/, /warning .*w1/],
    ],
    [
      "a Liquid syntax error in a widget: warned, naming it",
      snapshot([trigger("a"), widget("a", "send-message", { properties: { body: "Hi {% if flow.data.x %}" } })]),
      ["x"],
      [],
      [/widget a: invalid Liquid in its body: tag \{% if flow\.data\.x %\} not closed/],
    ],
    [
      "a message asking for CANCEL as an answer: warned, naming the widget (docs/reference.md §19)",
      snapshot([trigger("a"), widget("a", "send-and-wait-for-reply", { properties: { body: "Reply C to confirm, CANCEL to cancel" } })]),
      [],
      [],
      [/widget a asks for "CANCEL" as a reply: Twilio opts a contact who replies CANCEL out of every message from this sender/],
    ],
    [
      "the whole object used: no unused-key warning",
      snapshot([trigger("a"), widget("a", "send-message", { properties: { body: "{{flow.data | to_json}}" } })]),
      ["anything"],
      [],
      [],
    ],
  ] as const)("%s", (_name, flow, sent, refusals, warnings) => {
    const verdict = judgeFlow(flow, sent);
    expect(verdict.refusals).toHaveLength(refusals.length);
    refusals.forEach((pattern, i) => expect(verdict.refusals[i]).toMatch(pattern));
    expect(verdict.warnings).toHaveLength(warnings.length);
    warnings.forEach((pattern, i) => expect(verdict.warnings[i]).toMatch(pattern));
  });

  it.each([
    ["a column the key but for case", ["Appointment_At"], 'did you mean the column "Appointment_At"?'],
    [
      "but for spaces",
      ["Appointment At"],
      'did you mean the column "Appointment At"? Send it as appointment_at: "columns": { "parameters": { "appointment_at": "Appointment At" } }',
    ],
    ["but for hyphens", ["appointment-at"], 'did you mean the column "appointment-at"?'],
    ["no such column", ["Appointment Date"], undefined],
  ])("a key never sent, and a column of the file %s: the refusal names it (docs/reference.md §17)", (_name, columns, hint) => {
    const [refusal] = judgeFlow(snapshot(survey), ["first_name"], { columns }).refusals;
    expect(refusal).toMatch(/never sends "appointment_at"/);
    if (hint === undefined) expect(refusal).not.toMatch(/did you mean/);
    else expect(refusal).toContain(hint);
  });

  it.each([
    ["a Send & Wait For Reply widget's reply", "widgets.ask_rating.inbound.Body", undefined],
    [
      "a widget the flow does not have (a typo)",
      "widgets.confrim.inbound.Body",
      /replies\.from reads the reply of widget "confrim", which is no Send & Wait For Reply widget of the flow \(it has "ask_rating", "ask_comment"\): no reply would ever be read, and no reminder stopped/,
    ],
    ["a path of another shape: the operator's", "flow.variables.answer", undefined],
  ])("replies.from reading %s (docs/reference.md §19)", (_name, replyFrom, refusal) => {
    const verdict = judgeFlow(snapshot(survey), ["first_name", "appointment_at"], { replyFrom });
    if (refusal === undefined) expect(verdict.refusals).toEqual([]);
    else expect(verdict.refusals).toEqual([expect.stringMatching(refusal)]);
  });

  it("records the revision and the Send & Wait For Reply widgets in order", () => {
    expect(judgeFlow(snapshot(survey), ["first_name", "appointment_at"]).facts).toEqual({
      flowSid: "FWx",
      revision: 4,
      questions: ["ask_rating", "ask_comment"],
    });
  });
});

describe("a definition as Twilio's API returns it (test/fixtures/flows/appointment-reminder.json)", () => {
  const resource = JSON.parse(readFileSync(new URL("../fixtures/flows/appointment-reminder.json", import.meta.url), "utf8")) as {
    definition: unknown;
    revision: number;
  };
  const definition = parseDefinition(resource.definition)!;

  it("is read: trigger target, questions, and every flow.data key with its widgets", () => {
    expect(restTriggerTarget(definition)).toBe("set_defaults");
    expect(sendAndWaitWidgets(definition)).toEqual(["confirm"]);
    const refs = findDataReferences(definition);
    expect(Object.fromEntries([...refs.keys].map(([k, v]) => [k, v]))).toEqual({
      clinic: { widgets: ["set_defaults"], alwaysDefaulted: true },
      language: { widgets: ["set_defaults"], alwaysDefaulted: false },
      first_name: { widgets: ["confirm"], alwaysDefaulted: false },
      appointment_at: { widgets: ["confirm", "call_clinic"], alwaysDefaulted: false },
      tier: { widgets: ["route_answer"], alwaysDefaulted: false },
      patient_id: { widgets: ["call_clinic"], alwaysDefaulted: false },
      campaign_name: { widgets: ["call_clinic"], alwaysDefaulted: true },
    });
  });
});

/** A fixture of test/fixtures/flows/ (a Flow resource as Twilio's API returns it) as the preflight reads it. */
const fixture = (file: string): FlowSnapshot => {
  const resource = JSON.parse(readFileSync(new URL(`../fixtures/flows/${file}`, import.meta.url), "utf8")) as {
    sid: string;
    revision: number;
    definition: unknown;
  };
  const revision = {
    revision: resource.revision,
    status: "published",
    definition: resource.definition,
    valid: true,
    errors: [],
    warnings: [],
  };
  return { flowSid: resource.sid, friendlyName: undefined, published: revision, latest: revision };
};

describe("judgeFlow on flows as people write them: each warning names the widget and the key", () => {
  it.each([
    [
      "the wrong namespace: trigger.parameters is never set for a REST Execution",
      "wrong-namespace.json",
      ["name", "appointment_at"],
      [],
      [
        /widget remind: `trigger\.parameters\.name` is never set for REST API Executions; did you mean `flow\.data\.name`\?/,
        /sends "name" but .* never uses flow\.data\.name/,
      ],
    ],
    [
      "inbound-only data on the REST path, where it is used (not service/channel, not a widget only a message reaches)",
      "inbound-data.json",
      ["id"],
      [],
      [
        /widget greet uses `trigger\.message\.From` in its body: it is set only when a message started the flow/,
        /widget notify uses `trigger\.call\.From` in its parameters: it is set only when a call started the flow/,
      ],
    ],
    [
      "flow.data passed whole to a Function and an HTTP request, and nothing sent",
      "flow-data-whole.json",
      [],
      [],
      [
        /widget lookup passes flow\.data whole to a Function; this campaign sends no parameters/,
        /widget post passes flow\.data whole to an HTTP request; this campaign sends no parameters/,
      ],
    ],
    ["flow.data passed whole, and parameters sent: fine", "flow-data-whole.json", ["crm_id"], [], []],
    [
      "an old export: not a Studio v2 definition, still refused",
      "legacy-export.json",
      ["first_name"],
      [
        /not a Studio v2 flow definition \(no initial_state; its trigger "Trigger" has type InitialState; its transitions point at widget IDs\): export it again from Studio/,
      ],
      [],
    ],
    [
      "real-export shapes: split Liquid, trimming tags, expression and single-quoted defaults, numeric timeout, a two-event trigger",
      "real-export-shapes.json",
      ["first_name", "appointment_at"],
      [],
      [/widget help_desk: its "sent" transition leads to "escalate", which is no widget of the flow$/],
    ],
    [
      "real-export shapes: a key read only in a tag split across lines is still required",
      "real-export-shapes.json",
      ["appointment_at"],
      [/flow\.data\.first_name is used by widget ask_rating but the campaign never sends "first_name"/],
      [/transition leads to "escalate"/],
    ],
    [
      "a transition to no widget on the REST path: refused",
      "dangling-on-rest.json",
      ["first_name"],
      [
        /widget ask_rating: its "timeout" transition leads to "reminder", which is no widget of the flow: a contact taking it would end there/,
      ],
      [],
    ],
    [
      "the earlier fixture: no refusal or warning changes",
      "appointment-reminder.json",
      ["first_name", "appointment_at", "tier", "patient_id", "language"],
      [],
      [],
    ],
  ] as const)("%s", (_name, file, sent, refusals, warnings) => {
    const verdict = judgeFlow(fixture(file), sent);
    expect(verdict.refusals).toHaveLength(refusals.length);
    refusals.forEach((pattern, i) => expect(verdict.refusals[i]).toMatch(pattern));
    expect(verdict.warnings).toHaveLength(warnings.length);
    warnings.forEach((pattern, i) => expect(verdict.warnings[i]).toMatch(pattern));
  });
});
