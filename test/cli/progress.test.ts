import { describe, expect, it } from "vitest";
import type { Campaign } from "../../src/campaign/campaign.js";
import { ProgressRenderer, progressText } from "../../src/cli/progress.js";

const counts = "created 5";

describe("progressText: done of the total, the rate, the time left at that rate", () => {
  it.each([
    ["a survey", { done: 5, total: 198, created: 5, elapsed: 2.5, unit: "contact" as const }, "5/198 sent, 2.0/s, ETA 97 s | created 5"],
    [
      "a standing campaign's tick: reminders due now",
      { done: 5, total: 10, created: 5, elapsed: 2.5, unit: "reminder" as const },
      "5/10 reminders sent, 2.0/s, ETA 3 s | created 5",
    ],
    [
      "nothing sent yet: no ETA",
      { done: 0, total: 10, created: 0, elapsed: 1, unit: "reminder" as const },
      "0/10 reminders sent, 0.0/s, ETA ? | created 5",
    ],
    ["no total known", { done: 3, total: 0, created: 3, elapsed: 1, unit: "contact" as const }, "3 sent, 3.0/s, ETA ? | created 5"],
  ])("%s", (_, p, expected) => {
    expect(progressText({ ...p, counts }).text).toBe(expected);
  });
});

describe("ProgressRenderer: a standing campaign's total is what the run found due", () => {
  it("counts 10 due reminders as they are planned, not the 198 reminders of the export", () => {
    const renderer = new ProgressRenderer({ from: "+15017122661" } as Campaign, { intervalMs: 60_000, startedAt: 0 });
    try {
      renderer.onEvent({ type: "planned", toSendBySender: {}, total: 0, unit: "reminder" });
      for (let i = 0; i < 10; i++) renderer.onEvent({ type: "due" });
      for (let i = 0; i < 5; i++) renderer.onEvent({ type: "row", row: i + 1, status: "created", to: "+14155550100" });
      expect(renderer.line(2_500)).toEqual({ text: "5/10 reminders sent, 2.0/s, ETA 3 s | created 5", filled: 0.5 });
    } finally {
      renderer.stop();
    }
  });
});
