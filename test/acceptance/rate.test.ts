import { afterAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/simulator/server.js";
import { contactsCsv, makeFixture, maxPerWindow, phoneNumbers, runCliProcess, tightestSpan } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../helpers/env.js";

/**
 * Acceptance, in real time and as a child process (the installed CLI's way): the rate at
 * Studio's limit. Runs alone, after the other files (vitest.config.ts): another file's load
 * would skew the clocks on a 2-core machine.
 */
const cleanups: Array<() => Promise<void>> = [];
// Some tests run at once: what they set up is cleaned when the file is done.
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Three seconds of sending at the limit: three full windows and the edges between them. */
const CONTACTS = 60;

describe("run: the rate", () => {
  // Both latencies at once: each its own simulator and process, 20/s each (light work).
  it.concurrent.each([
    ["30 ms", 30],
    ["300 ms", 300],
  ])(
    "at --rate 20 against a strict 20/s simulator with %s latency: paced just under the rate, at most a stall's worth over it",
    async (_name, latencyMs) => {
      const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 20, latencyMs });
      const f = await makeFixture(contactsCsv(phoneNumbers(CONTACTS)));
      cleanups.push(
        () => sim.close(),
        () => f.cleanup(),
      );
      const result = await runCliProcess(["run", f.campaignPath, "--studio-url", sim.url, "--json", "--rate", "20", "--concurrency", "10"]);
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout);
      expect(summary.counts.created).toBe(CONTACTS);
      const arrivals = sim.stats.createArrivals;
      console.info(
        `rate 20, ${latencyMs} ms: max ${maxPerWindow(arrivals)} per window, 21 arrivals spanned ≥ ${tightestSpan(arrivals, 21)} ms, ${sim.stats.rateLimited} × 429`,
      );
      // Real time on a shared machine: one stall of the simulator's or the runner's event loop
      // beyond the 15 ms margin can put one start too many in a window and draw a 429. Without
      // the margin it is 2 or 3 in 100, more under load.
      expect(maxPerWindow(arrivals)).toBeLessThanOrEqual(21);
      expect(sim.stats.rateLimited).toBeLessThanOrEqual(1);
      const times = sim.stats.createTimes;
      // A 429 holds the run for its Retry-After (the simulator says 1 s): the rate is judged without it.
      const sendingSeconds = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000 - sim.stats.rateLimited;
      expect((times.length - 1) / sendingSeconds).toBeGreaterThanOrEqual(19);
    },
  );
});
