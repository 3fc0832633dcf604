import { describe, expect, it } from "vitest";
import { estimatePace, senderThroughput } from "../../src/contacts/sender-throughput.js";

describe("senderThroughput: a sender's kind and default throughput", () => {
  it.each([
    ["+15017122661", "us-ca-long-code", 1],
    ["+18005550100", "us-ca-toll-free", 3],
    ["55555", "short-code", 100],
    ["whatsapp:+14155550100", "whatsapp", 10],
    ["MG0123456789abcdef0123456789abcdef", "messaging-service", undefined],
    ["+442071838750", "other", undefined],
  ])("%s: %s", (from, kind, mps) => {
    expect(senderThroughput(from)).toMatchObject({ kind, mps });
  });
});

describe("estimatePace: the duration and the queue a sender would build", () => {
  const base = { perSecond: 20, senderMps: undefined, messagesPerContact: 1 };
  it.each([
    [
      "a long code unpaced: 100 contacts at 20/s queue at Twilio",
      { "+15017122661": 100 },
      {},
      5,
      /queue 19\.0 messages\/s.*last of 100 contacts would wait ~1 min 35 s/,
    ],
    ["paced by senderMps 1: no queue, 100 s", { "+15017122661": 100 }, { senderMps: 1 }, 100, undefined],
    [
      "two messages a contact, senderMps 1: one contact each 2 s",
      { "+15017122661": 10 },
      { senderMps: 1, messagesPerContact: 2 },
      20,
      undefined,
    ],
    ["a short code carries 20/s", { "55555": 100 }, {}, 5, undefined],
    ["a Messaging Service: its pool's throughput is unknown", { MG0123456789abcdef0123456789abcdef: 10 }, {}, 0.5, /set rate\.senderMps/],
    ["nothing to send from a sender: no pace, no warning (never NaN)", { "+15017122661": 0 }, {}, 0, undefined],
  ] as const)("%s", (_name, bySender, options, seconds, warning) => {
    const pace = estimatePace({ ...base, ...options, contactsBySender: new Map(Object.entries(bySender)) });
    expect(pace.durationSeconds).toBeCloseTo(seconds, 5);
    if (warning === undefined) expect(pace.warnings).toEqual([]);
    else expect(pace.warnings).toEqual([expect.stringMatching(warning)]);
    expect(pace.warnings.join()).not.toMatch(/NaN/);
  });
});
