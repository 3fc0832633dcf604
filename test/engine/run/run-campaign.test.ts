import { afterAll, describe, expect, it } from "vitest";
import { loadCampaign } from "../../../src/campaign/load-campaign.js";
import { StopControl, systemClock, type Clock } from "../../../src/clock.js";
import type { RunEvent, RunSummary } from "../../../src/engine/run/run-events.js";
import { startSimulator, type Simulator } from "../../../src/simulator/server.js";
import type { SimulatorOptions } from "../../../src/simulator/options.js";
import { contactsCsv, makeFixture, phoneNumbers, type Fixture } from "../../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../../helpers/env.js";
import { runInProcess, type InProcessRun } from "../../helpers/run.js";

/** In-process: `sendCampaign` (through `runInProcess`) with an injected clock, `stop` and `onEvent`, the simulator on port 0. */
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A clock whose sleeps return at once and move its time forward: minutes of backoff in milliseconds. */
function fastForwardClock(): Clock & { slept: () => number } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    sleep: async (ms, signal) => {
      if (!signal?.aborted) offset += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
    slept: () => offset,
  };
}

async function setup(contacts: number, simOptions: SimulatorOptions = {}): Promise<{ sim: Simulator; f: Fixture }> {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, ...simOptions });
  const f = await makeFixture(contactsCsv(phoneNumbers(contacts)));
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  return { sim, f };
}

async function run(f: Fixture, baseUrl: string, options: InProcessRun): Promise<RunSummary> {
  return runInProcess(await loadCampaign(f.campaignPath), baseUrl, options);
}

describe.concurrent("a run in-process, opened as the CLI opens it (sendCampaign)", () => {
  it("Studio refusing every connection: the run stops once the outage bound has passed on its clock, every row pending, none failed", async () => {
    const { f } = await setup(12);
    const clock = fastForwardClock();
    const started = Date.now();
    // Port 1 refuses connections: nothing was sent, so each create is retried after a backoff.
    const summary = await run(f, "http://127.0.0.1:1", { clock, outageAfterMs: 60_000 });
    expect(summary.stopped).toBe("outage");
    // A minute of failures on the run's clock (its backoff sleeps) …
    const failingFor = Number(/^Studio failed every request for (\d+) s/.exec(summary.stopMessage ?? "")?.[1]);
    expect(failingFor).toBeGreaterThanOrEqual(60);
    expect(summary.counts).toMatchObject({ pending: 12, failed: 0, created: 0 });
    expect(clock.slept()).toBeGreaterThan(30_000);
    expect(Date.now() - started).toBeLessThan(5_000); // … in a few real seconds at most
  });

  it("a stop requested from onEvent after the fifth created row: dispatching ends, what was in flight lands, the rest stays pending", async () => {
    const { sim, f } = await setup(40, { latencyMs: 20 });
    const stop = new StopControl();
    const events: RunEvent[] = [];
    const onEvent = (event: RunEvent) => {
      events.push(event);
      const created = events.filter((e) => e.type === "row" && e.status === "created").length;
      if (created === 5) stop.request("signal", "test: stop after five");
    };
    const summary = await run(f, sim.url, { stop, onEvent });
    expect(summary.stopped).toBe("signal");
    // At most the requests in flight at the stop (concurrency 4) land after the fifth.
    expect(summary.counts.created).toBeGreaterThanOrEqual(5);
    expect(summary.counts.created).toBeLessThanOrEqual(5 + 4);
    expect(summary.counts.pending).toBe(40 - summary.counts.created);
    expect(sim.executions()).toHaveLength(summary.counts.created);
    expect(summary.thisRun.requests).toBe(summary.counts.created);
  });

  it("--max-runtime on the run's clock: the deadline passes after the fifth created row, dispatching ends, the rest stays pending", async () => {
    const { sim, f } = await setup(40, { latencyMs: 20 });
    // The run's clock: its --max-runtime sleep ends when the test says the time has come; every
    // other wait is real.
    let deadline!: () => void;
    const clock: Clock = {
      now: () => Date.now(),
      sleep: (ms, signal) => (ms === 600_000 ? new Promise<void>((resolve) => (deadline = resolve)) : systemClock.sleep(ms, signal)),
    };
    let created = 0;
    const onEvent = (event: RunEvent) => {
      if (event.type === "row" && event.status === "created" && ++created === 5) deadline();
    };
    const summary = await run(f, sim.url, { clock, maxRuntimeMs: 600_000, onEvent });
    expect(summary.stopped).toBe("max-runtime");
    expect(summary.stopMessage).toBe("--max-runtime reached after 600 s");
    // At most the requests in flight at the deadline (concurrency 4) land after the fifth.
    expect(summary.counts.created).toBeGreaterThanOrEqual(5);
    expect(summary.counts.created).toBeLessThanOrEqual(5 + 4);
    expect(summary.counts.pending).toBe(40 - summary.counts.created);
    expect(sim.executions()).toHaveLength(summary.counts.created);
  });

  it("a stop during a 429's long hold ends the run at once: nothing more is sent, the rest stays pending", async () => {
    // One create a second, and a 429 that asks for 30 s: the run holds; a stop comes 300 ms in.
    const { sim, f } = await setup(6, { rate: 1, retryAfter: "30" });
    const stop = new StopControl();
    const onEvent = (event: RunEvent) => {
      if (event.type === "rate-limited") setTimeout(() => stop.request("signal", "test: stop during the hold"), 300);
    };
    const started = Date.now();
    const summary = await run(f, sim.url, { stop, onEvent });
    expect(Date.now() - started).toBeLessThan(5_000); // not the 30 s hold
    expect(summary.stopped).toBe("signal");
    expect(summary.counts.created).toBe(sim.executions().length);
    expect(summary.counts.pending).toBe(6 - summary.counts.created);
    // Nothing left after the stop: the creates that waited out the hold were withdrawn.
    const lastArrival = Math.max(...sim.stats.createArrivals);
    expect(lastArrival - Math.max(...sim.stats.rateLimitedTimes)).toBeLessThan(300);
  });

  it("counts come from one tally: a rerun carries the final rows and records only what it sends", async () => {
    const { sim, f } = await setup(10);
    const first = await run(f, sim.url, { limit: 4 });
    expect(first.stopped).toBe("limit");
    expect(first.counts).toMatchObject({ created: 4, pending: 6 });
    expect(first.thisRun).toMatchObject({ created: 4, requests: 4 });
    const second = await run(f, sim.url, {});
    expect(second.stopped).toBeUndefined();
    expect(second.counts).toMatchObject({ created: 10, pending: 0 });
    expect(second.thisRun).toMatchObject({ created: 6, requests: 6 });
    expect(sim.executions()).toHaveLength(10);
  });
});
