import { describe, expect, it } from "vitest";
import { WindowGate } from "../../src/throttle/window-gate.js";

/** A fake clock that only moves forward, when the gate sleeps. */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => (now += ms),
    sleeps,
  };
}

describe("WindowGate", () => {
  it("lets evenly spaced starts through without waiting", async () => {
    const clock = fakeClock();
    const gate = new WindowGate({ perWindow: 3, windowMs: 1000, ...clock });
    for (let i = 0; i < 10; i++) {
      await gate.pass();
      clock.advance(340);
    }
    expect(clock.sleeps).toEqual([]);
  });

  it("holds a start that would put perWindow+1 in one window (a lagged start followed by a prompt one)", async () => {
    const clock = fakeClock();
    const gate = new WindowGate({ perWindow: 2, windowMs: 1000, ...clock });
    await gate.pass(); // t=0
    clock.advance(600);
    await gate.pass(); // t=600
    clock.advance(100);
    await gate.pass(); // t=700 → must wait until t=1000
    expect(clock.sleeps).toEqual([300]);
    expect(clock.now()).toBe(1000);
  });
});
