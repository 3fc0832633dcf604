import { describe, expect, it } from "vitest";
import { refreshStatus } from "../../../src/engine/results/refresh-status.js";
import type { CreatedExecution } from "../../../src/ledger/fold.js";
import type { Campaign } from "../../../src/campaign/campaign.js";
import type { LedgerWriter } from "../../../src/ledger/ledger-store.js";
import type { StudioClient } from "../../../src/studio/client.js";
import { readPolicy } from "../../../src/campaign/runtime-defaults.js";
import { StopControl, systemClock } from "../../../src/clock.js";
import { Reads } from "../../../src/studio/read-retry.js";
import { ServiceHealth } from "../../../src/studio/service-health.js";

describe("refreshStatus at scale", () => {
  it("spans 200 000 created Executions with one List page (no argument spread)", async () => {
    const executions = new Map<string, CreatedExecution>();
    for (let i = 0; i < 200_000; i++)
      executions.set(`FN${i}`, { sid: `FN${i}`, to: "+14155550100", at: 1_700_000_000_000 + i, status: undefined });
    let listedFrom: Date | undefined;
    const client = {
      async *listExecutionPages(_flow: string, query: { dateCreatedFrom: Date }) {
        listedFrom = query.dateCreatedFrom;
        yield { executions: [...executions.keys()].map((sid) => ({ sid, status: "active" as const })) };
      },
    } as unknown as StudioClient;
    const ledger = { append: async () => undefined, flush: async () => undefined } as unknown as LedgerWriter;
    const campaign = { flowSid: "FW0", rate: { concurrency: 2 } } as unknown as Campaign;
    const reads = new Reads({
      policy: readPolicy({ retry: { maxAttempts: 5, maxRetryAfterMs: 1_000 } }),
      clock: systemClock,
      health: new ServiceHealth(),
    });
    const counts = await refreshStatus({
      campaign,
      client,
      writer: ledger,
      executions,
      reads,
      clock: systemClock,
      stop: new StopControl(),
    });
    expect(counts).toEqual({ active: 200_000, ended: 0, unknown: 0, requests: 1 });
    expect(listedFrom!.getTime()).toBeLessThan(1_700_000_000_000);
  });
});
