import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { StudioClient } from "../../src/studio/client.js";
import { Credentials } from "../../src/studio/credentials.js";
import { StudioApiError, StudioTransportError } from "../../src/studio/errors.js";
import { startSimulator } from "../../src/simulator/server.js";
import type { SimulatorOptions } from "../../src/simulator/options.js";
import {
  ACCOUNT_SID,
  FLOW_SID,
  OTHER_FLOW_SID,
  SECRETS,
  SIMULATOR_CREDENTIALS,
  accountCredentials,
  apiKeyCredentials,
} from "../helpers/env.js";

const TO = "+15558675310";
const FROM = "+15017122661";
const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function setup(options: SimulatorOptions = {}, credentials = accountCredentials(), timeoutMs?: number) {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, ...options });
  const client = new StudioClient({ baseUrl: sim.url, credentials, ...(timeoutMs ? { timeoutMs } : {}) });
  open.push(client, sim);
  return { sim, client };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("StudioClient against the simulator", () => {
  it("creates an Execution with To, From and Parameters as a JSON string", async () => {
    const { sim, client } = await setup();
    const execution = await client.createExecution(FLOW_SID, { to: TO, from: FROM, parameters: { name: "Zeke", n: 1 } });
    expect(execution.sid).toMatch(/^FN[0-9a-f]{32}$/);
    expect(execution).toMatchObject({ account_sid: ACCOUNT_SID, flow_sid: FLOW_SID, contact_channel_address: TO, status: "active" });
    expect(execution.date_created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const [stored] = sim.executions();
    expect(stored).toMatchObject({ to: TO, from: FROM, parameters: { name: "Zeke", n: 1 } });
  });

  it("works with API key credentials", async () => {
    const { client } = await setup({}, apiKeyCredentials());
    const execution = await client.createExecution(FLOW_SID, { to: TO, from: FROM });
    expect(execution.account_sid).toBe(ACCOUNT_SID);
  });

  it("fetches, ends and deletes; ending twice answers 409; a deleted one is 404", async () => {
    const { client } = await setup();
    const created = await client.createExecution(FLOW_SID, { to: TO, from: FROM });
    expect((await client.fetchExecution(FLOW_SID, created.sid)).status).toBe("active");
    expect((await client.endExecution(FLOW_SID, created.sid)).status).toBe("ended");
    expect((await client.fetchExecution(FLOW_SID, created.sid)).status).toBe("ended");
    const again = await caught(client.endExecution(FLOW_SID, created.sid));
    expect(again).toBeInstanceOf(StudioApiError);
    expect((again as StudioApiError).status).toBe(409);
    await client.deleteExecution(FLOW_SID, created.sid);
    const gone = (await caught(client.fetchExecution(FLOW_SID, created.sid))) as StudioApiError;
    expect([gone.status, gone.twilioCode]).toEqual([404, 20404]);
  });

  it("pages through more than two pages newest first, and filters by date created", async () => {
    const { client } = await setup();
    for (let i = 0; i < 25; i++) await client.createExecution(FLOW_SID, { to: `+1555000${String(i).padStart(4, "0")}`, from: FROM });
    let pages = 0;
    const seen: string[] = [];
    for await (const page of client.listExecutionPages(FLOW_SID, { pageSize: 10 })) {
      pages++;
      seen.push(...page.executions.map((e) => e.contact_channel_address ?? ""));
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen[0]).toBe("+15550000024");
    const future = new Date(Date.now() + 5_000);
    const none = [];
    for await (const e of client.listExecutions(FLOW_SID, { dateCreatedFrom: future })) none.push(e);
    expect(none).toHaveLength(0);
    const past = [];
    for await (const e of client.listExecutions(FLOW_SID, { dateCreatedTo: new Date(Date.now() - 60_000) })) past.push(e);
    expect(past).toHaveLength(0);
    const all = [];
    for await (const e of client.listExecutions(FLOW_SID, { dateCreatedFrom: new Date(Date.now() - 60_000), pageSize: 1000 })) all.push(e);
    expect(all).toHaveLength(25);
  });

  it("maps a 409 to its conflicting Execution SID", async () => {
    const { client } = await setup();
    const first = await client.createExecution(FLOW_SID, { to: TO, from: FROM });
    const err = (await caught(client.createExecution(OTHER_FLOW_SID, { to: TO, from: FROM }))) as StudioApiError;
    expect(err).toBeInstanceOf(StudioApiError);
    expect([err.status, err.twilioCode, err.conflictingExecutionSid]).toEqual([409, 20409, first.sid]);
    expect(err.moreInfo).toBe("https://www.twilio.com/docs/errors/20409");
  });

  it("maps a 429 to its Retry-After", async () => {
    const { client } = await setup({ rate: 1 });
    await client.createExecution(FLOW_SID, { to: TO, from: FROM });
    const err = (await caught(client.createExecution(FLOW_SID, { to: "+15558675311", from: FROM }))) as StudioApiError;
    expect([err.status, err.twilioCode]).toEqual([429, 20429]);
    expect(err.retryAfterMs).toBe(1000);
  });

  it.each([
    ["wrong token", new Credentials(ACCOUNT_SID, "wrong-token", ACCOUNT_SID)],
    ["unknown key", new Credentials("SKffffffffffffffffffffffffffffffff", "x", ACCOUNT_SID)],
  ])("maps rejected credentials (%s) to 401 / 20003", async (_name, credentials) => {
    const { client } = await setup({}, credentials);
    const err = (await caught(client.createExecution(FLOW_SID, { to: TO, from: FROM }))) as StudioApiError;
    expect([err.status, err.twilioCode, err.isAuthFailure]).toEqual([401, 20003, true]);
  });

  it("answers 404 for an unknown flow and 400 for a malformed To", async () => {
    const { client } = await setup({ flows: [FLOW_SID] });
    const unknownFlow = (await caught(client.createExecution(OTHER_FLOW_SID, { to: TO, from: FROM }))) as StudioApiError;
    expect([unknownFlow.status, unknownFlow.twilioCode]).toEqual([404, 20404]);
    const badTo = (await caught(client.createExecution(FLOW_SID, { to: "5558675310", from: FROM }))) as StudioApiError;
    expect([badTo.status, badTo.twilioCode]).toEqual([400, 21211]);
  });

  it("maps a 5xx to an API error with its status", async () => {
    const { client } = await setup({ failRate: 1 });
    const err = (await caught(client.fetchExecution(FLOW_SID, `FN${"a".repeat(32)}`))) as StudioApiError;
    expect([err.status, err.twilioCode]).toEqual([500, 20500]);
  });
});

describe("transport failures: not sent or in doubt", () => {
  it("a refused connection is not sent", async () => {
    const sim = await startSimulator();
    const url = sim.url;
    await sim.close();
    const client = new StudioClient({ baseUrl: url, credentials: accountCredentials() });
    open.push(client);
    const err = (await caught(client.createExecution(FLOW_SID, { to: TO, from: FROM }))) as StudioTransportError;
    expect(err).toBeInstanceOf(StudioTransportError);
    expect([err.delivery, err.causeCode]).toEqual(["not-sent", "ECONNREFUSED"]);
  });

  it("a create dropped after commit is in doubt, and the Execution exists", async () => {
    const { sim, client } = await setup({ dropAfterCommitRate: 1 });
    const err = (await caught(client.createExecution(FLOW_SID, { to: TO, from: FROM }))) as StudioTransportError;
    expect(err).toBeInstanceOf(StudioTransportError);
    expect(err.delivery).toBe("in-doubt");
    expect(sim.executions()).toHaveLength(1);
  });

  it("a connection reset is in doubt (the client cannot know it was not processed)", async () => {
    const { sim, client } = await setup({ resetRate: 1 });
    const err = (await caught(client.createExecution(FLOW_SID, { to: TO, from: FROM }))) as StudioTransportError;
    expect(err.delivery).toBe("in-doubt");
    expect(sim.executions()).toHaveLength(0);
  });

  it("a timeout waiting for the answer is in doubt", async () => {
    // undici checks header timeouts on a ~1 s tick, so the latency must clear that tick.
    const { client } = await setup({ latencyMs: 2500 }, accountCredentials(), 100);
    const err = (await caught(client.createExecution(FLOW_SID, { to: TO, from: FROM }))) as StudioTransportError;
    expect([err.delivery, err.causeCode]).toEqual(["in-doubt", "UND_ERR_HEADERS_TIMEOUT"]);
  });
});

describe("credentials stay secret", () => {
  it("appear in no error message, inspected error or inspected client", async () => {
    const texts: string[] = [];
    for (const credentials of [accountCredentials(), apiKeyCredentials()]) {
      const { client } = await setup({ failRate: 1 }, credentials);
      const err = await caught(client.createExecution(FLOW_SID, { to: TO, from: FROM }));
      texts.push(String(err), inspect(err, { depth: 10 }), JSON.stringify(err), inspect(client, { depth: 10 }), inspect(credentials));
      const refused = new StudioClient({ baseUrl: "http://127.0.0.1:1", credentials });
      open.push(refused);
      const transport = await caught(refused.createExecution(FLOW_SID, { to: TO, from: FROM }));
      texts.push(inspect(transport, { depth: 10 }), JSON.stringify(credentials));
    }
    for (const text of texts) for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it("refuses a non-loopback http:// base URL", () => {
    expect(() => new StudioClient({ baseUrl: "http://studio.example.com", credentials: accountCredentials() })).toThrow(/in clear/);
    expect(() => new StudioClient({ baseUrl: "http://10.0.0.5:8080", credentials: accountCredentials() })).toThrow(/in clear/);
  });

  it("follows next_page_url only against its own base URL", async () => {
    let foreignHits = 0;
    const foreign = createServer((_req, res) => {
      foreignHits++;
      res.end("{}");
    });
    await new Promise<void>((r) => foreign.listen(0, "127.0.0.1", r));
    const foreignPort = (foreign.address() as AddressInfo).port;
    const paths: string[] = [];
    const own = createServer((req, res) => {
      paths.push(req.url ?? "");
      const next = paths.length === 1 ? `http://127.0.0.1:${foreignPort}/v2/Flows/${FLOW_SID}/Executions?PageToken=PT2` : null;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ executions: [], meta: { next_page_url: next } }));
    });
    await new Promise<void>((r) => own.listen(0, "127.0.0.1", r));
    const client = new StudioClient({
      baseUrl: `http://127.0.0.1:${(own.address() as AddressInfo).port}`,
      credentials: accountCredentials(),
    });
    for await (const _ of client.listExecutionPages(FLOW_SID)) void _;
    await client.close();
    own.close();
    foreign.close();
    expect(foreignHits).toBe(0);
    expect(paths).toEqual([`/v2/Flows/${FLOW_SID}/Executions`, `/v2/Flows/${FLOW_SID}/Executions?PageToken=PT2`]);
  });
});

describe("loading the client", () => {
  it("loads undici's Pool and request API, not the whole package (fetch, WebSocket, caches: ~75 ms of each run's start)", async () => {
    // A fresh process on the built client (the in-process one may have loaded undici whole elsewhere).
    const { execFileSync } = await import("node:child_process");
    const script =
      'const { StudioClient } = await import("./dist/studio/client.js");' +
      'const { createRequire } = await import("node:module");' +
      'const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes("/node_modules/undici/"));' +
      'console.log(JSON.stringify({ client: typeof StudioClient, loaded: loaded.map((f) => f.split("/node_modules/undici/")[1]) }));';
    const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })) as {
      client: string;
      loaded: string[];
    };
    expect(out.client).toBe("function");
    expect(out.loaded).toContain("lib/dispatcher/pool.js");
    expect(out.loaded).not.toContain("index.js");
    expect(out.loaded.filter((f) => f.startsWith("lib/web/"))).toEqual([]);
  });
});
