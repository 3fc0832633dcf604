import { afterAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/simulator/server.js";
import { contactsCsv, makeFixture, phoneNumbers, runCli } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS, childEnv } from "../helpers/env.js";

/**
 * The tests' in-process CLI (test/helpers/cli.ts): a call's environment is the process's for its
 * duration, so calls with another environment take turns — first come, first served: a call that
 * waits is not passed by calls that come after it with the running environment.
 */
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("runCli in-process: environments take turns", () => {
  it("a call with its own environment runs before a later call with the running one", async () => {
    const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, latencyMs: 300 });
    const f = await makeFixture(contactsCsv(phoneNumbers(3)));
    const g = await makeFixture(contactsCsv(phoneNumbers(3, 2000)));
    cleanups.push(
      () => sim.close(),
      () => f.cleanup(),
      () => g.cleanup(),
    );
    const ended: string[] = [];
    const call = (name: string, promise: Promise<{ code: number | null }>) =>
      promise.then((result) => {
        ended.push(name);
        return result.code;
      });
    const args = (path: string) => ["run", path, "--studio-url", sim.url, "--no-preflight"];
    const first = call("first", runCli(args(f.campaignPath)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const other = call("own environment", runCli(args(g.campaignPath), { env: childEnv({ TWILIO_AUTH_TOKEN: "wrong" }) }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const later = call("later", runCli(["validate", f.campaignPath]));
    expect(await Promise.all([first, other, later])).toEqual([0, 77, 0]);
    expect(ended).toEqual(["first", "own environment", "later"]);
  });
});
