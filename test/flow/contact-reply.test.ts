import { describe, expect, it } from "vitest";
import { contextReply, lateReply, replyWidget } from "../../src/flow/contact-reply.js";

const CREATED = Date.parse("2026-12-04T18:00:00.400Z");
const inbound = (body: string, iso: string | null, direction = "inbound") => ({
  body,
  direction,
  date_sent: iso === null ? null : new Date(iso).toUTCString().replace("GMT", "+0000"),
});
const window = { after: CREATED, until: CREATED + 24 * 3_600_000, before: Infinity };

describe("lateReply: the first inbound message after the Execution, within lateWithin, before the next one (docs/reference.md §19)", () => {
  it.each<[string, ReturnType<typeof inbound>[], typeof window, string | undefined]>([
    ["none", [], window, undefined],
    ["one the next morning", [inbound("C", "2026-12-05T08:10:00Z")], window, "C"],
    ["the first of two (listed newest first)", [inbound("x", "2026-12-05T09:00:00Z"), inbound("C", "2026-12-05T08:10:00Z")], window, "C"],
    ["in the second the Execution was made (whole seconds)", [inbound("y", "2026-12-04T18:00:00Z")], window, "y"],
    ["before the Execution", [inbound("y", "2026-12-04T17:59:59Z")], window, undefined],
    ["past lateWithin", [inbound("C", "2026-12-05T18:00:01Z")], window, undefined],
    ["at lateWithin exactly", [inbound("C", "2026-12-05T18:00:00Z")], window, "C"],
    ["ours, not the contact's", [inbound("Reply C to confirm", "2026-12-04T18:00:01Z", "outbound-api")], window, undefined],
    ["not sent yet (no date)", [inbound("C", null)], window, undefined],
    [
      "after the campaign's next Execution to that number: that one's",
      [inbound("C", "2026-12-05T08:10:00Z")],
      { ...window, before: Date.parse("2026-12-05T08:00:00Z") },
      undefined,
    ],
  ])("%s", (_name, messages, bounds, expected) => {
    const reply = lateReply(messages, bounds);
    expect(reply?.text).toBe(expected);
    if (reply) expect(reply.late).toBe(true);
  });

  it("to a Messaging Service sender: only a message that reached that service", () => {
    const service = "MG0123456789abcdef0123456789abcdef";
    const viaService = { ...inbound("C", "2026-12-05T08:10:00Z"), messaging_service_sid: service };
    const elsewhere = { ...inbound("x", "2026-12-05T08:00:00Z"), messaging_service_sid: null };
    expect(lateReply([viaService, elsewhere], { ...window, messagingService: service })?.text).toBe("C");
  });

  it("replied_at is the message's date_sent, as ISO 8601 UTC", () => {
    expect(lateReply([inbound("C", "2026-12-05T08:10:00Z")], window)?.repliedAt).toBe("2026-12-05T08:10:00.000Z");
  });
});

describe("contextReply: the reply at the from path, and when its widget got it", () => {
  const context = { widgets: { confirm: { inbound: { Body: "Cancel please" } }, other: { inbound: { Body: "5" } } } };
  const steps = [
    { name: "incomingRequest", transitioned_from: "Trigger", transitioned_to: "confirm", date_created: "2026-12-04T18:00:00Z" },
    { name: "incomingMessage", transitioned_from: "confirm", transitioned_to: "end", date_created: "2026-12-04T18:05:09Z" },
    { name: "incomingMessage", transitioned_from: "other", transitioned_to: "end", date_created: "2026-12-04T18:09:00Z" },
  ];
  const options = { from: "widgets.confirm.inbound.Body", fallbackAt: "2026-12-04T18:00:00.000Z" };

  it("the text as sent, at the widget's own incomingMessage Step", () => {
    expect(contextReply(context, steps, options)).toEqual({ text: "Cancel please", repliedAt: "2026-12-04T18:05:09.000Z", late: false });
  });
  it("no Step for it: the fallback time", () => {
    expect(contextReply(context, [], options)?.repliedAt).toBe("2026-12-04T18:00:00.000Z");
  });
  it("nothing there, or only spaces: no reply", () => {
    expect(contextReply({ widgets: {} }, steps, options)).toBeUndefined();
    expect(contextReply({ widgets: { confirm: { inbound: { Body: "  " } } } }, steps, options)).toBeUndefined();
  });
  it("the widget a path reads", () => {
    expect([replyWidget("widgets.confirm.inbound.Body"), replyWidget("flow.variables.x")]).toEqual(["confirm", undefined]);
  });
});
