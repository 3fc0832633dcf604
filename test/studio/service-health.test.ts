import { describe, expect, it } from "vitest";
import { ServiceHealth } from "../../src/studio/service-health.js";

/** A request's outcome, in order: `ok`, or `fail@t` (a 5xx or no answer at t ms). */
type Step = "ok" | `fail@${number}`;

function replay(steps: readonly Step[]): ServiceHealth {
  const health = new ServiceHealth();
  for (const step of steps) {
    if (step === "ok") health.succeeded();
    else health.failed(Number(step.slice(5)));
  }
  return health;
}

describe("ServiceHealth: whether Studio answers at all", () => {
  it.each([
    ["no failure: healthy", [], false, 0],
    ["two failures: not yet degraded", ["fail@0", "fail@100"], false, 1000],
    [
      "three in a row: degraded (a transient failure leaves the contact pending, not failed)",
      ["fail@0", "fail@100", "fail@200"],
      true,
      1000,
    ],
    ["a success ends the streak and the outage clock", ["fail@0", "fail@100", "fail@200", "ok"], false, 0],
    ["failing since the first failure of the streak", ["fail@0", "ok", "fail@400", "fail@500", "fail@600"], true, 600],
  ] as const)("%s", (_name, steps, degraded, failingForAt1000) => {
    const health = replay(steps);
    expect(health.degraded).toBe(degraded);
    expect(health.failingFor(1000)).toBe(failingForAt1000);
  });
});
