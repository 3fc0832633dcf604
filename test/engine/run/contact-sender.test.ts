import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCampaign } from "../../../src/campaign/load-campaign.js";
import { surveyKind } from "../../../src/engine/kinds/survey-kind.js";
import { ContactSender } from "../../../src/engine/run/contact-sender.js";
import { RunContext } from "../../../src/engine/run/run-context.js";
import { StopControl, systemClock } from "../../../src/clock.js";
import type { Contact } from "../../../src/contacts/contact.js";
import { openLocked } from "../../helpers/ledger.js";
import { FileLedger } from "../../../src/ledger/file/file-ledger.js";
import { RETRY_DEFAULTS } from "../../../src/studio/retry-policy.js";
import type { StudioClient } from "../../../src/studio/client.js";
import type { AccountLimiter } from "../../../src/throttle/create-limiter.js";
import { ACCOUNT_SID, FLOW_SID } from "../../helpers/env.js";
import { readPolicy } from "../../../src/campaign/runtime-defaults.js";
import { Reads } from "../../../src/studio/read-retry.js";
import { ServiceHealth } from "../../../src/studio/service-health.js";
import { FileOptOutStore } from "../../../src/opt-outs/opt-out-file.js";
import { OptedOut } from "../../../src/opt-outs/opted-out.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A sender over a real ledger file and opt-out list in a temp folder; the limiter runs each job at once, `before` it. */
async function senderFixture(options: { now: () => number; before?: () => Promise<void>; onDeparture?: () => void }) {
  const dir = await mkdtemp(path.join(tmpdir(), "studio-campaign-sender-"));
  dirs.push(dir);
  const campaign = parseCampaign(
    { name: "c", flowSid: FLOW_SID, from: "+15017122661", contacts: "contacts.csv" },
    path.join(dir, "c.json"),
  );
  const store = new FileLedger(campaign.ledgerPath);
  const { state, writer } = await openLocked(store, { name: "c", flowSid: FLOW_SID, from: campaign.from, account: ACCOUNT_SID });
  const creates: string[] = [];
  const limiter = {
    schedule: async (job: (departure: () => Promise<void>) => Promise<unknown>) => {
      await options.before?.();
      return job(async () => options.onDeparture?.());
    },
    holdFor: () => undefined,
  } as unknown as AccountLimiter;
  const client = { createExecution: async (_flow: string, c: Contact) => (creates.push(c.to), { sid: "FN" }) } as unknown as StudioClient;
  const optOuts = new FileOptOutStore(campaign.optOutsLocation, undefined);
  const ctx = new RunContext({
    campaign,
    kind: surveyKind(campaign),
    client,
    limiter,
    ledger: writer,
    store,
    state,
    policy: { ...RETRY_DEFAULTS, ...campaign.retry },
    stop: new StopControl(),
    clock: { now: options.now, sleep: systemClock.sleep },
    reads: new Reads({ policy: readPolicy(campaign), clock: systemClock, health: new ServiceHealth() }),
    emit: () => undefined,
    requestTimeoutMs: 1_000,
    outageAfterMs: 60_000,
    optedOut: await OptedOut.load(optOuts, options.now()),
  });
  const events = async () => {
    await Promise.allSettled([...ctx.pendingWrites]);
    await writer.close();
    return (await readFile(campaign.ledgerPath, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line).t);
  };
  return { ctx, campaign, creates, optOuts, events };
}

describe("ContactSender at departure", () => {
  it("a deadline that passes while the recorded attempt waits to leave (a 429 hold): withdrawn, expired, never sent", async () => {
    const deadline = Date.parse("2026-11-30T15:00:00Z");
    let now = deadline - 1_000;
    // The limiter runs the job at once; its departure is where a hold would keep it, and the clock passes the deadline meanwhile.
    const { ctx, campaign, creates, events } = await senderFixture({ now: () => now, onDeparture: () => void (now = deadline + 1) });
    const contact: Contact = { row: 1, to: "+14155551000", from: campaign.from, parameters: {}, zones: undefined, notAfter: deadline };
    const outcome = await new ContactSender(ctx).send(contact);
    expect(outcome).toEqual({ result: "expired", requests: 0, rateLimited: 0 });
    expect(creates).toEqual([]);
    expect(await events()).toEqual(["campaign", "attempt", "withdrawn", "expired"]);
  });

  it.each([
    ["30 s or more after the list's last look: read again, the opt-out stops it before its attempt", 30_000, "opted_out"],
    ["sooner: the list is not read again yet, and it goes", 29_999, "created"],
  ] as const)("an opt-out committed while the contact waited in the queue, its turn %s", async (_name, waited, result) => {
    const start = Date.parse("2026-11-30T15:00:00Z");
    let now = start;
    const contact: Contact = { row: 1, to: "+14155551000", from: "+15017122661", parameters: {}, zones: undefined, notAfter: undefined };
    const fixture = await senderFixture({
      now: () => now,
      // Meanwhile another campaign's `results` (or an import) commits the contact's opt-out.
      before: async () => {
        await fixture.optOuts.append([
          { number: contact.to, at: new Date(now).toISOString(), campaign: "other", event: "opt_out", reason: "STOP" },
        ]);
        now = start + waited;
      },
    });
    const outcome = await new ContactSender(fixture.ctx).send(contact);
    expect(outcome.result).toBe(result);
    expect(fixture.creates).toEqual(result === "created" ? [contact.to] : []);
    expect(await fixture.events()).toEqual(result === "created" ? ["campaign", "attempt", "created"] : ["campaign", "opted_out"]);
    await fixture.optOuts.close();
  });
});
