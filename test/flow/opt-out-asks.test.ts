import { describe, expect, it } from "vitest";
import { askedKeywords, optOutWordsAsked } from "../../src/flow/opt-out-asks.js";
import type { FlowDefinition } from "../../src/flow/definition.js";

/** A message asking for an opt-out keyword as an answer loses the contact (docs/reference.md §19). */
describe("opt-out keywords a message asks for as answers", () => {
  it.each([
    ["Reply C to confirm, X to cancel.", []],
    ["Reply CANCEL to cancel your appointment.", ["CANCEL"]],
    ["Reply YES to confirm or CANCEL to cancel", ["CANCEL"]],
    ["Reply cancel to cancel", ["CANCEL"]],
    ["Reply 'Cancel' to cancel your visit", ["CANCEL"]],
    ["Reply “cancel” if you cannot come", ["CANCEL"]],
    ["Text END to end the survey", ["END"]],
    ["Respond with quit to leave the waitlist", ["QUIT"]],
    ["Reply: CANCEL", ["CANCEL"]],
    ["Reply 1 to confirm, 2 to cancel, END to stop the survey. QUIT is also fine to reply.", ["END", "QUIT"]],
    ["Reply STOP to opt out.", []],
    ["Reply CANCEL to unsubscribe.", []],
    ["Reply CANCEL to stop receiving messages", []],
    ["Text END for no more reminders", []],
    ["We will cancel your appointment if you do not confirm.", []],
    ["Your visit is on {{flow.data.date}}. Reply C to confirm or R to reschedule; to cancel, call us.", []],
    ["Hi {{flow.data.first_name}}! Reply CANCEL {{flow.data.x}} to cancel", ["CANCEL"]],
    ["The visit will END at 5pm. Reply Y to confirm", []],
  ])("%j → %j", (body, expected) => {
    expect(askedKeywords(body)).toEqual(expected);
  });

  it("names each sending widget that asks, and nothing else", () => {
    const definition: FlowDefinition = {
      states: [
        { name: "Trigger", type: "trigger", properties: {} },
        { name: "ask", type: "send-and-wait-for-reply", properties: { body: "Reply C to confirm, CANCEL to cancel." } },
        { name: "note", type: "send-message", properties: { body: "Thanks. Reply STOP to opt out." } },
        { name: "split", type: "split-based-on", properties: { input: "Reply CANCEL" } },
      ],
    };
    expect(optOutWordsAsked(definition)).toEqual([
      'widget ask asks for "CANCEL" as a reply: Twilio opts a contact who replies CANCEL out of every message from this sender, ' +
        'for good (docs/reference.md §19); ask for another word, e.g. "X"',
    ]);
  });
});
