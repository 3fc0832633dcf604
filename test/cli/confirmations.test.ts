import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { loadCampaign } from "../../src/campaign/load-campaign.js";
import { handConfirmations } from "../../src/commands/confirmations.js";
import type { LedgerEvent } from "../../src/ledger/events.js";
import { openLedgerStore } from "../../src/ledger/open-store.js";
import { PostgresConnections } from "../../src/ledger/postgres/postgres-connections.js";
import { makeFixture, parseCsv, runCli, startCli, waitForExit, type Fixture } from "../helpers/cli.js";
import { ACCOUNT_SID, childEnv, FLOW_SID } from "../helpers/env.js";
import { startPostgres, type PostgresServer } from "../helpers/postgres.js";

/**
 * `confirmations` (docs/reference.md §19): the replies a ledger holds handed to the booking
 * system — a file (`--out`, `--new` with its cursor in the ledger) or a signed webhook against a
 * local receiver — on both ledger stores. The ledgers are written as `run` and `results` write
 * them (created and reply lines), so that each case states its replies.
 */
let pg: PostgresServer;
const postgres = new PostgresConnections();
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres.close();
  await pg?.stop();
});

const SECRET = "whsec_9f8e7d6c5b4a3210";
const FROM = "+15017122661";
const REPLIES = { from: "widgets.confirm.inbound.Body", intents: { confirmed: ["c", "yes"], cancel: ["x", "cancel"] } };
let names = 0;

/** A campaign whose ledger is at `store` ("file": beside it; "postgres": the throwaway cluster). */
async function campaign(store: "file" | "postgres"): Promise<Fixture & { ledgerArgs: string[]; location: string; name: string }> {
  const name = `confirm-${++names}`;
  const f = await makeFixture("appointment_id,to,appointment_at\n", { name, replies: REPLIES });
  onTestFinished(() => f.cleanup());
  const location = store === "file" ? f.ledgerPath : pg.url;
  return { ...f, name, location, ledgerArgs: store === "file" ? [] : ["--ledger", pg.url] };
}

const at = (h: number) => new Date(Date.UTC(2026, 11, 4, h)).toISOString();
/** A reminder's Execution for appointment `key` (row `row`), created at hour `h`. */
const created = (row: number, key: string, reminder: string, h: number): LedgerEvent => ({
  t: "created",
  row,
  to: `+1415555${String(2000 + row)}`,
  from: FROM,
  key,
  reminder,
  appointmentAt: "2026-12-06T09:30:00.000Z",
  sid: `FN${String(row).padStart(2, "0")}${reminder === "first" ? "a" : "b"}${"0".repeat(29)}`,
  http: 201,
  at: at(h),
});
const reply = (event: LedgerEvent, text: string, h: number, late = false): LedgerEvent => {
  const c = event as Extract<LedgerEvent, { t: "created" }>;
  return {
    t: "reply",
    row: c.row,
    sid: c.sid,
    key: c.key!,
    appointmentAt: c.appointmentAt!,
    reply: { text, repliedAt: at(h), late },
    at: at(h + 1),
  };
};

async function append(location: string, name: string, events: LedgerEvent[]): Promise<void> {
  const store = openLedgerStore(location, name, undefined, postgres);
  const lock = await store.lock();
  try {
    const writer = await lock.openWriter((await store.exists()) ? await store.end() : 0);
    if (!(await store.exists()) || (await store.end()) === 0)
      await writer.append({ t: "campaign", v: 1, name, flowSid: FLOW_SID, from: FROM, account: ACCOUNT_SID, at: at(0) });
    for (const event of events) await writer.append(event);
    await writer.close();
  } finally {
    await lock.release();
  }
}

/** Three appointments: A1 confirmed then (second reminder) cancelled — the latest wins —, A2 confirmed late, A3 no reply. */
const A1 = [created(1, "A1", "first", 1), created(1, "A1", "second", 5)];
const A2 = created(2, "A2", "first", 1);
const A3 = created(3, "A3", "first", 1);
const SEED = [...A1, A2, A3, reply(A1[0]!, "C", 2), reply(A2, "yes!", 3, true), reply(A1[1]!, "Cancel please", 6)];

describe.each(["file", "postgres"] as const)("confirmations --out on the %s ledger", (store) => {
  it("one record per appointment with a reply, the latest reply winning; --new twice hands over nothing the second time, then exactly the new record", async () => {
    const c = await campaign(store);
    await append(c.location, c.name, SEED);
    const out = path.join(c.dir, "confirmations.csv");
    const all = await runCli(["confirmations", c.campaignPath, "--out", out, ...c.ledgerArgs], { env: childEnv() });
    expect(all.code, all.stderr).toBe(0);
    const rows = parseCsv(await readFile(out, "utf8"));
    expect(rows.map((r) => [r.key, r.intent, r.reply, r.reminder, r.late])).toEqual([
      ["A1", "cancel", "Cancel please", "second", "false"],
      ["A2", "confirmed", "yes!", "first", "true"],
    ]);
    expect(Object.keys(rows[0]!)).toEqual([
      "key",
      "appointment_at",
      "intent",
      "reply",
      "replied_at",
      "late",
      "reminder",
      "execution_sid",
      "to",
    ]);
    expect(rows[0]).toMatchObject({ appointment_at: "2026-12-06T09:30:00.000Z", replied_at: at(6), to: "+14155552001" });
    expect(((await import("node:fs")).statSync(out).mode & 0o777).toString(8)).toBe("600");

    const first = await runCli(["confirmations", c.campaignPath, "--out", out, "--new", "--format", "jsonl", ...c.ledgerArgs], {
      env: childEnv(),
    });
    expect(first.code, first.stderr).toBe(0);
    expect(
      (await readFile(out, "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).key),
    ).toEqual(["A1", "A2"]);
    const second = await runCli(["confirmations", c.campaignPath, "--out", out, "--new", "--format", "jsonl", ...c.ledgerArgs], {
      env: childEnv(),
    });
    expect([second.code, await readFile(out, "utf8")]).toEqual([0, ""]);

    // A3's contact replies (a late one, found by results): that record alone is new.
    await append(c.location, c.name, [reply(A3, "x", 9, true)]);
    const third = await runCli(["confirmations", c.campaignPath, "--out", out, "--new", "--json", ...c.ledgerArgs], { env: childEnv() });
    expect(JSON.parse(third.stdout)).toMatchObject({ records: 3, selected: 1, handed: 1 });
    expect(parseCsv(await readFile(out, "utf8")).map((r) => [r.key, r.intent])).toEqual([["A3", "cancel"]]);
  });
});

describe("confirmations --out --new: a crash between writing and renaming", () => {
  it("leaves the last file as it was and hands the same records over again", async () => {
    const c = await campaign("file");
    await append(c.location, c.name, SEED);
    const out = path.join(c.dir, "confirmations.csv");
    const options = {
      campaign: await loadCampaign(c.campaignPath),
      target: { kind: "file" as const, path: out, format: "csv" as const },
      onlyNew: true,
    };
    const crash = new Error("killed between the fsync and the rename");
    await writeFile(out, "the booking system's last file\n");
    await expect(handConfirmations({ ...options, beforeRename: () => Promise.reject(crash) })).rejects.toBe(crash);
    expect((await readdir(c.dir)).filter((n) => n.includes("confirmations"))).toEqual(["confirmations.csv"]);
    expect(await readFile(out, "utf8")).toBe("the booking system's last file\n");
    const again = await handConfirmations(options);
    expect([again.selected, again.handed]).toEqual([2, 2]);
    expect(parseCsv(await readFile(out, "utf8")).map((r) => r.key)).toEqual(["A1", "A2"]);
    expect((await handConfirmations(options)).selected).toBe(0);
  });
});

/** A local receiver: answers each request as `answer` says (by its number, from 1), and keeps what it got. */
async function receiver(answer: (n: number, req: IncomingMessage) => number | "hang" = () => 200) {
  const got: Array<{ body: string; headers: IncomingMessage["headers"]; status: number | "hang" }> = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      const status = answer(got.length + 1, req);
      got.push({ body, headers: req.headers, status });
      if (status === "hang") return;
      res.writeHead(status, status === 503 ? { "retry-after": "0" } : {});
      res.end(status < 300 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/confirmations`, got };
}

const webhookEnv = (extra: Record<string, string> = {}) => childEnv({ STUDIO_CAMPAIGN_WEBHOOK_SECRET: SECRET, ...extra });

describe.each(["file", "postgres"] as const)("confirmations --webhook on the %s ledger", (store) => {
  it("signs each body (verifiable with the secret), names it by its Idempotency-Key; the first 3 answered 503 → all delivered, exit 0; none twice", async () => {
    const c = await campaign(store);
    await append(c.location, c.name, SEED);
    const hook = await receiver((n) => (n <= 3 ? 503 : 200));
    const result = await runCli(["confirmations", c.campaignPath, "--webhook", hook.url, ...c.ledgerArgs], { env: webhookEnv() });
    expect(result.code, result.stderr).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
    const delivered = hook.got.filter((r) => r.status === 200);
    expect(delivered.map((r) => JSON.parse(r.body).key).sort()).toEqual(["A1", "A2"]);
    for (const request of hook.got) {
      const expected = `sha256=${createHmac("sha256", SECRET).update(request.body).digest("hex")}`;
      expect(request.headers["x-studio-campaign-signature"]).toBe(expected);
      expect(request.headers["content-type"]).toBe("application/json");
      const body = JSON.parse(request.body);
      expect(request.headers["idempotency-key"]).toBe(`${c.name}:${body.key}:${body.appointment_at}:${body.execution_sid}`);
      expect(body).toMatchObject({ campaign: c.name, sent_at: expect.any(String) });
    }
    // Acknowledged: a second run sends nothing.
    const again = await runCli(["confirmations", c.campaignPath, "--webhook", hook.url, "--json", ...c.ledgerArgs], { env: webhookEnv() });
    expect([again.code, JSON.parse(again.stdout).selected, hook.got.length]).toEqual([0, 0, delivered.length + 3]);
  });
});

describe("confirmations --webhook: rejections, a missing secret, a kill -9", () => {
  it("a 400 is listed, not retried, and exits 1; the others are delivered", async () => {
    const c = await campaign("file");
    await append(c.location, c.name, SEED);
    const hook = await receiver((_n, req) => (req.headers["idempotency-key"]?.includes(":A2:") ? 400 : 200));
    const result = await runCli(["confirmations", c.campaignPath, "--webhook", hook.url], { env: webhookEnv() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/rejected \(HTTP 400\): A2 2026-12-06T09:30:00.000Z/);
    expect(hook.got.filter((r) => r.headers["idempotency-key"]?.includes(":A2:"))).toHaveLength(1);
    const again = await runCli(["confirmations", c.campaignPath, "--webhook", hook.url, "--json"], { env: webhookEnv() });
    expect([again.code, JSON.parse(again.stdout).selected]).toEqual([0, 0]);
  });

  it("no secret in the environment: exit 2, nothing sent; a URL with credentials or plain http off loopback: exit 2", async () => {
    const c = await campaign("file");
    await append(c.location, c.name, SEED);
    const hook = await receiver();
    const none = await runCli(["confirmations", c.campaignPath, "--webhook", hook.url], { env: childEnv() });
    expect([none.code, none.stderr]).toEqual([2, expect.stringMatching(/STUDIO_CAMPAIGN_WEBHOOK_SECRET/)]);
    expect(hook.got).toHaveLength(0);
    const withCredentials = await runCli(["confirmations", c.campaignPath, "--webhook", "https://u:p@example.com/h"], {
      env: webhookEnv(),
    });
    expect([withCredentials.code, withCredentials.stderr]).toEqual([2, expect.stringMatching(/a URL with credentials is refused/)]);
    const plain = await runCli(["confirmations", c.campaignPath, "--webhook", "http://example.com/h"], { env: webhookEnv() });
    expect([plain.code, plain.stderr]).toEqual([2, expect.stringMatching(/must be an https:\/\/ URL/)]);
  });

  it("kill -9 after two acknowledgements: the rerun delivers every record, each under one Idempotency-Key", async () => {
    const c = await campaign("file");
    const many = Array.from({ length: 8 }, (_, i) => created(10 + i, `B${i}`, "first", 1));
    await append(c.location, c.name, [...many, ...many.map((e, i) => reply(e, i % 2 ? "c" : "x", 2))]);
    let child: ReturnType<typeof startCli> | undefined;
    // The third request is never answered: the process is killed while it waits (deterministic, not a timer).
    const hook = await receiver((n) => {
      if (n !== 3) return 200;
      child?.kill("SIGKILL");
      return "hang";
    });
    child = startCli(["confirmations", c.campaignPath, "--webhook", hook.url], { env: webhookEnv() });
    expect((await waitForExit(child)).signal).toBe("SIGKILL");
    const rerun = await runCli(["confirmations", c.campaignPath, "--webhook", hook.url, "--json"], { env: webhookEnv() });
    expect(rerun.code, rerun.stderr).toBe(0);
    const keys = new Map<string, Set<string>>();
    for (const r of hook.got) {
      const key = JSON.parse(r.body).key as string;
      keys.set(key, (keys.get(key) ?? new Set()).add(String(r.headers["idempotency-key"])));
    }
    expect([...keys.keys()].sort()).toEqual(many.map((_, i) => `B${i}`));
    expect([...keys.values()].every((set) => set.size === 1)).toBe(true);
    const acknowledged = new Set(hook.got.filter((r) => r.status === 200).map((r) => JSON.parse(r.body).key));
    expect(acknowledged.size).toBe(8);
  });
});
