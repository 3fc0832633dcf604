import { describe, expect, it } from "vitest";
import { readFlow } from "../../../src/engine/run/preflight.js";
import type { StudioClient } from "../../../src/studio/client.js";
import { StudioApiError } from "../../../src/studio/errors.js";
import { FLOW_SID } from "../../helpers/env.js";
import { RUNTIME_DEFAULTS } from "../../../src/campaign/runtime-defaults.js";
import { systemClock } from "../../../src/clock.js";
import { Reads } from "../../../src/studio/read-retry.js";
import { ServiceHealth } from "../../../src/studio/service-health.js";

const flow = (revision: number, status: string) => ({
  sid: FLOW_SID,
  friendly_name: "f",
  revision,
  status,
  definition: {},
  valid: true,
  errors: [],
  warnings: [],
});
const notFound = () => new StudioApiError({ method: "GET", path: "/v2/Flows", status: 404, body: undefined, retryAfterMs: undefined });
const noRetry = new Reads({
  policy: { ...RUNTIME_DEFAULTS.retry, maxReadAttempts: 1, outageAfterMs: 0 },
  clock: systemClock,
  health: new ServiceHealth(),
});

describe("readFlow (the preflight's two GETs)", () => {
  it("asks for the flow and its published revision at once (one round trip before the first create, not two)", async () => {
    let revisionAsked!: () => void;
    const asked = new Promise<void>((resolve) => (revisionAsked = resolve));
    const client = {
      // Answers only once the revision was asked for: read one after the other, this would never settle.
      fetchFlow: async () => (await asked, flow(3, "draft")),
      fetchFlowRevision: async () => (revisionAsked(), flow(2, "published")),
    } as unknown as StudioClient;
    const read = await Promise.race([
      readFlow(client, FLOW_SID, noRetry),
      new Promise<"sequential">((resolve) => setTimeout(() => resolve("sequential"), 1_000)),
    ]);
    expect(read).toMatchObject({ latest: { revision: 3 }, published: { revision: 2 } });
  });

  it("a flow that is not there is refused (FLOW_REFUSED); a flow never published has no published revision", async () => {
    const missing = { fetchFlow: async () => Promise.reject(notFound()), fetchFlowRevision: async () => Promise.reject(notFound()) };
    await expect(readFlow(missing as unknown as StudioClient, FLOW_SID, noRetry)).rejects.toMatchObject({ code: "FLOW_REFUSED" });
    const draft = { fetchFlow: async () => flow(1, "draft"), fetchFlowRevision: async () => Promise.reject(notFound()) };
    expect(await readFlow(draft as unknown as StudioClient, FLOW_SID, noRetry)).toMatchObject({ published: undefined });
  });
});
