import Bottleneck from "bottleneck";
import { describe, expect, it } from "vitest";
import { bottleneckQueue, JobDropped, unpacedQueue } from "../../src/throttle/account-queue.js";
import { createLimiter } from "../../src/throttle/create-limiter.js";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `count` jobs through `schedule`, each held open until released: how many ran at once, at most. */
async function peakInFlight(schedule: (job: () => Promise<void>) => Promise<void>, count: number) {
  let inFlight = 0;
  let peak = 0;
  let ran = 0;
  const gates: Array<() => void> = [];
  const all = Array.from({ length: count }, () =>
    schedule(async () => {
      inFlight++;
      ran++;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((resolve) => gates.push(resolve));
      inFlight--;
    }),
  );
  while (ran < count) {
    for (let i = 0; i < 5; i++) await tick();
    gates.splice(0).forEach((open) => open());
  }
  await Promise.all(all);
  return { peak, ran };
}

describe("unpacedQueue (a local rate no timer can space)", () => {
  it("runs every job, never more than its concurrency at once", async () => {
    expect(await peakInFlight(unpacedQueue(7).schedule, 100)).toEqual({ peak: 7, ran: 100 });
  });

  it("once stopped, lets the started job finish and drops the next one when its turn comes (JobDropped)", async () => {
    const queue = unpacedQueue(1);
    let release!: () => void;
    const first = queue.schedule(() => new Promise<string>((resolve) => (release = () => resolve("finished"))));
    const next = queue.schedule(async () => "ran");
    await tick();
    await queue.stop();
    release();
    expect(await first).toBe("finished");
    await expect(next).rejects.toBeInstanceOf(JobDropped);
  });
});

describe("bottleneckQueue", () => {
  it("reports Bottleneck's dropped jobs as JobDropped", async () => {
    const queue = bottleneckQueue(new Bottleneck({ maxConcurrent: 1, minTime: 50 }), { BottleneckError: Bottleneck.BottleneckError });
    const first = queue.schedule(async () => "first");
    const dropped = queue.schedule(async () => "second");
    await first;
    await queue.stop();
    await expect(dropped).rejects.toBeInstanceOf(JobDropped);
  });
});

describe("createLimiter above ~985/s (no pace a timer can keep)", () => {
  it("bounds the requests in flight by the concurrency, as the paced limiter does", async () => {
    const limiter = await createLimiter({ perSecond: 100_000, concurrency: 5 });
    const schedule = (job: () => Promise<void>) => limiter.schedule(async (departure) => (await departure(), job()));
    expect(await peakInFlight(schedule, 60)).toEqual({ peak: 5, ran: 60 });
    await limiter.close();
  });

  it("keeps a 429's hold: nothing departs until it has passed", async () => {
    const limiter = await createLimiter({ perSecond: 100_000, concurrency: 5 });
    const heldAt = Date.now();
    limiter.holdFor(120, heldAt);
    const departures = await Promise.all(
      Array.from({ length: 8 }, () => limiter.schedule(async (departure) => (await departure(), Date.now()))),
    );
    for (const at of departures) expect(at).toBeGreaterThanOrEqual(heldAt + 120);
    await limiter.close();
  });
});
