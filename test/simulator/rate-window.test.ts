import { describe, expect, it } from "vitest";
import { maxPerWindow, SlidingWindow } from "../../src/simulator/rate-window.js";

describe("SlidingWindow (the simulator's strict per-account limit)", () => {
  it("accepts at most N in any 1-second window and says when a place frees up", () => {
    const window = new SlidingWindow(3);
    expect(window.tryAcquire(0).accepted).toBe(true);
    expect(window.tryAcquire(100).accepted).toBe(true);
    expect(window.tryAcquire(200).accepted).toBe(true);
    expect(window.tryAcquire(999)).toEqual({ accepted: false, retryAfterMs: 1 });
    expect(window.tryAcquire(1000).accepted).toBe(true); // the one at 0 has left the window
    expect(window.tryAcquire(1050)).toEqual({ accepted: false, retryAfterMs: 50 });
  });

  it("does not count rejected arrivals", () => {
    const window = new SlidingWindow(1);
    expect(window.tryAcquire(0).accepted).toBe(true);
    for (let t = 1; t < 1000; t += 100) expect(window.tryAcquire(t).accepted).toBe(false);
    expect(window.tryAcquire(1000).accepted).toBe(true);
  });
});

describe("maxPerWindow (how the tests and the bench read a strict server's windows)", () => {
  it.each([
    [[], 0],
    [[0, 999], 2],
    [[0, 1000], 1],
    [[0, 500, 999, 1000, 1001], 4], // 500..1001 lie within one second
  ])("%j → %i", (times, expected) => {
    expect(maxPerWindow(times)).toBe(expected);
  });
});
