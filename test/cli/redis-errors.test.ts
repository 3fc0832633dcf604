import { afterAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/simulator/server.js";
import { contactsCsv, makeFixture, phoneNumbers, runCli, runCliProcess } from "../helpers/cli.js";
import { childEnv, SIMULATOR_CREDENTIALS } from "../helpers/env.js";
import { startRedis } from "../helpers/redis.js";

/** Redis trouble and hygiene: nothing here counts time, so it runs with the other files, its cases at once. */
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.concurrent("the shared rate limiter's Redis", () => {
  it("an unreachable Redis: exit 75 and nothing sent", async () => {
    const redis = await startRedis();
    const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0 });
    const f = await makeFixture(contactsCsv(phoneNumbers(5)));
    cleanups.push(
      () => sim.close(),
      () => f.cleanup(),
    );
    await redis.stop();
    const result = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--redis", redis.url, "--redis-timeout", "300"]);
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/Redis\) is unreachable/);
    expect(sim.stats.createArrivals).toHaveLength(0);
  });

  it.each([
    ["the --redis flag", "flag"],
    ["STUDIO_CAMPAIGN_REDIS_URL", "env"],
  ])("a Redis password (from %s) reaches no output, even with DEBUG=*", async (_name, via) => {
    const password = "r3dis-pa55-wOrd-7781";
    const redis = await startRedis({ password });
    const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0 });
    const f = await makeFixture(contactsCsv(phoneNumbers(5)));
    cleanups.push(
      () => redis.stop(),
      () => sim.close(),
      () => f.cleanup(),
    );
    const args = ["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight", ...(via === "flag" ? ["--redis", redis.url] : [])];
    const env = childEnv({ DEBUG: "*", ...(via === "env" ? { STUDIO_CAMPAIGN_REDIS_URL: redis.url } : {}) });
    const result = await runCliProcess(args, { env });
    expect(result.code).toBe(0);
    expect(sim.stats.created).toBe(5); // it did talk to the password-protected Redis
    expect(result.stdout + result.stderr).not.toContain(password);
  });
});
