import { afterAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/simulator/server.js";
import { contactsCsv, makeFixture, maxPerWindow, phoneNumbers, runCliProcess, tightestSpan } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS, childEnv } from "../helpers/env.js";
import { tracedStarts } from "../helpers/grants.js";

/**
 * Acceptance, in real time and as a child process (the installed CLI's way): the rate at
 * Studio's limit. Runs alone, after the other files (vitest.config.ts), its two cases at once (each
 * its own simulator and process: light work). The
 * pace is judged where it is enforced — the limiter's own starts, printed by the process with
 * `DEBUG=studio-campaign:starts` — not by arrival times at a simulator sharing two cores with it.
 */
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Three seconds of sending at the limit: three full windows and the edges between them. */
const CONTACTS = 60;

/**
 * Studio's contract, stated here and not taken from the code under test: at most the rate in any
 * window of 1 000 ms, as Studio counts arrivals (shared/reference/studio-facts.md). A start
 * reaches Studio after a latency that varies by up to `ARRIVAL_SPREAD_MS` from one request to the
 * next on loopback, so the starts must keep the rate in any window that much wider.
 */
const STUDIO_WINDOW_MS = 1000;
const ARRIVAL_SPREAD_MS = 10;
const GATE_WINDOW_MS = STUDIO_WINDOW_MS + ARRIVAL_SPREAD_MS;

/** How long the union of [t, t + hold) for each time covers, inside `within`. */
function heldMs(times: readonly number[], hold: number, within: [number, number]): number {
  let total = 0;
  let end = -Infinity;
  for (const t of [...times].sort((a, b) => a - b)) {
    const [from, to] = [Math.max(t, end, within[0]), Math.min(t + hold, within[1])];
    if (to > from) total += to - from;
    end = Math.max(end, t + hold);
  }
  return total;
}

describe("run: the rate", () => {
  it.concurrent.each([
    ["30 ms", 30],
    ["300 ms", 300],
  ])(
    "at --rate 20 against a strict 20/s simulator with %s latency: never more than 20 starts in a window, paced near the rate",
    async (_name, latencyMs) => {
      const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 20, latencyMs });
      const f = await makeFixture(contactsCsv(phoneNumbers(CONTACTS)));
      cleanups.push(
        () => sim.close(),
        () => f.cleanup(),
      );
      const env = childEnv({ DEBUG: "studio-campaign:starts" });
      const result = await runCliProcess(
        ["run", f.campaignPath, "--studio-url", sim.url, "--json", "--rate", "20", "--concurrency", "10"],
        {
          env,
        },
      );
      expect(result.code, result.stderr.slice(-1000)).toBe(0);
      expect(JSON.parse(result.stdout).counts.created).toBe(CONTACTS);
      const starts = tracedStarts(result.stderr).map((s) => s.at);
      expect(starts.length).toBeGreaterThanOrEqual(CONTACTS); // every create started through the limiter (a 429's retry starts again)
      expect(maxPerWindow(starts, GATE_WINDOW_MS)).toBeLessThanOrEqual(20);
      // Near the rate (a loose floor: a loaded machine slows a process, it must not halve its pace). A
      // 429 from the strict simulator holds the run for its Retry-After (1 s): the pace is judged
      // without those holds — their union, as 429s answered together hold the run together.
      const span = (starts.at(-1)! - starts[0]! - heldMs(sim.stats.rateLimitedTimes, 1_000, [starts[0]!, starts.at(-1)!])) / 1000;
      expect((starts.length - 1) / span).toBeGreaterThan(16);
      const arrivals = sim.stats.createArrivals;
      console.info(
        `rate 20, ${latencyMs} ms: ${starts.length} starts at ${((starts.length - 1) / span).toFixed(2)}/s, max ${maxPerWindow(starts, GATE_WINDOW_MS)} ` +
          `per ${GATE_WINDOW_MS} ms; at the simulator max ${maxPerWindow(arrivals)} per 1 s, 21 arrivals spanned ≥ ${tightestSpan(arrivals, 21)} ms, ` +
          `${sim.stats.rateLimited} × 429`,
      );
    },
  );
});
