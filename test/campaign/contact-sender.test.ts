import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCampaign } from "../../src/campaign/load-campaign.js";
import { ContactSender } from "../../src/campaign/run/contact-sender.js";
import { RunContext, StopControl, systemClock } from "../../src/campaign/run/run-context.js";
import type { Contact } from "../../src/contacts/contact.js";
import { openLedgerForRun } from "../../src/ledger/open-ledger.js";
import { FileLedger } from "../../src/ledger/file-ledger.js";
import { RETRY_DEFAULTS } from "../../src/studio/retry-policy.js";
import type { StudioClient } from "../../src/studio/client.js";
import type { AccountLimiter } from "../../src/throttle/create-limiter.js";
import { ACCOUNT_SID, FLOW_SID } from "../helpers/env.js";
import { readPolicy } from "../../src/campaign/runtime-defaults.js";
import { Reads } from "../../src/studio/read-retry.js";
import { ServiceHealth } from "../../src/studio/service-health.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("ContactSender at departure", () => {
  it("a deadline that passes while the recorded attempt waits to leave (a 429 hold): withdrawn, expired, never sent", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "studio-campaign-sender-"));
    dirs.push(dir);
    const campaign = parseCampaign(
      { name: "c", flowSid: FLOW_SID, from: "+15017122661", contacts: "contacts.csv" },
      path.join(dir, "c.json"),
    );
    const store = new FileLedger(campaign.ledgerPath);
    const { state, writer } = await openLedgerForRun(store, {
      name: "c",
      flowSid: FLOW_SID,
      from: campaign.from,
      account: ACCOUNT_SID,
    });
    const deadline = Date.parse("2026-11-30T15:00:00Z");
    let now = deadline - 1_000;
    let creates = 0;
    // The limiter runs the job at once; its departure is where a hold would keep it, and the
    // clock passes the deadline meanwhile.
    const limiter = {
      schedule: (job: (departure: () => Promise<void>) => Promise<unknown>) =>
        job(async () => {
          now = deadline + 1;
        }),
      holdFor: () => undefined,
    } as unknown as AccountLimiter;
    const client = { createExecution: async () => (creates++, { sid: "FN" }) } as unknown as StudioClient;
    const ctx = new RunContext({
      campaign,
      client,
      limiter,
      ledger: writer,
      store,
      state,
      policy: { ...RETRY_DEFAULTS, ...campaign.retry },
      stop: new StopControl(),
      clock: { now: () => now, sleep: systemClock.sleep },
      reads: new Reads({ policy: readPolicy(campaign), clock: systemClock, health: new ServiceHealth() }),
      emit: () => undefined,
      requestTimeoutMs: 1_000,
      outageAfterMs: 60_000,
    });
    const contact: Contact = { row: 1, to: "+14155551000", from: campaign.from, parameters: {}, zones: undefined, notAfter: deadline };
    const outcome = await new ContactSender(ctx).send(contact);
    await Promise.allSettled([...ctx.pendingWrites]);
    await writer.close();
    expect(outcome).toEqual({ result: "expired", requests: 0, rateLimited: 0 });
    expect(creates).toBe(0);
    const events = (await readFile(campaign.ledgerPath, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).t);
    expect(events).toEqual(["campaign", "attempt", "withdrawn", "expired"]);
  });
});
