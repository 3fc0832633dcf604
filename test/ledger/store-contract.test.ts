import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Checkpoint } from "../../src/ledger/checkpoint.js";
import type { LedgerEvent } from "../../src/ledger/events.js";
import { LockHeldError } from "../../src/ledger/errors.js";
import type { LedgerStore } from "../../src/ledger/ledger-store.js";
import { openLedgerStore } from "../../src/ledger/open-store.js";
import { PostgresConnections } from "../../src/ledger/postgres/postgres-connections.js";
import { loadRowCache, RowCacheBuilder, saveRowCache } from "../../src/engine/standing/row-cache.js";
import { startPostgres, type PostgresServer } from "../helpers/postgres.js";

/**
 * The ledger port's contract (docs/reference.md §5, §15), the same cases on both stores: a
 * JSONL file, and PostgreSQL (a throwaway cluster). Whatever the run, the report and the
 * checkpoint rely on of a store is asserted here once, for each.
 */
let dir: string;
let pg: PostgresServer;
/** The tests' own connections (a command's are its own: `withLedgerStores`). */
const postgres = new PostgresConnections();
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "store-contract-"));
  pg = await startPostgres();
});
afterAll(async () => {
  await postgres.close();
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

let made = 0;
const STORES: Array<[string, () => LedgerStore]> = [
  ["file", () => openLedgerStore(path.join(dir, `c${++made}.ledger.jsonl`), "c")],
  ["postgres", () => openLedgerStore(pg.url, `c${++made}`, undefined, postgres)],
];

const FROM = "+15017122661";
const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 9, 0, s)).toISOString();
const attempt = (to: string, s: number): LedgerEvent => ({ t: "attempt", row: 1, to, from: FROM, n: 1, at: at(s) });
const created = (to: string, s: number): LedgerEvent => ({ t: "created", row: 1, to, from: FROM, sid: `FN${to}`, http: 201, at: at(s) });

async function all(store: LedgerStore, from = 0): Promise<LedgerEvent[]> {
  const events: LedgerEvent[] = [];
  for await (const batch of store.batches(undefined, from)) events.push(...batch);
  return events;
}

/** Appends under the store's lock, then releases it. */
async function append(store: LedgerStore, events: LedgerEvent[]): Promise<void> {
  const lock = await store.lock();
  try {
    const writer = await lock.openWriter(await store.exists().then((e) => (e ? store.end() : 0)));
    for (const event of events) await writer.append(event);
    await writer.close();
  } finally {
    await lock.release();
  }
}

describe.each(STORES)("the ledger store contract: %s", (_name, newStore) => {
  it("a new ledger does not exist, reads as empty, and ends at 0", async () => {
    const store = newStore();
    expect(await store.exists()).toBe(false);
    expect(await all(store)).toEqual([]);
  });

  it("appends under its lock: the events read back in order, and the end only grows", async () => {
    const store = newStore();
    await append(store, [attempt("+1", 1), created("+1", 2)]);
    expect(await store.exists()).toBe(true);
    const first = await store.end();
    expect(first).toBeGreaterThan(0);
    await append(store, [attempt("+2", 3)]);
    const second = await store.end();
    expect(second).toBeGreaterThan(first);
    expect((await all(store)).map((e) => `${e.t} ${"to" in e ? e.to : ""}`)).toEqual(["attempt +1", "created +1", "attempt +2"]);
    // From a position: only what came after it (a checkpoint's ledger size).
    expect((await all(store, first)).map((e) => e.t)).toEqual(["attempt"]);
    // The same events as complete JSON lines (the report's reading).
    let text = "";
    for await (const chunk of store.text()) text += chunk;
    expect(
      text
        .split("\n")
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as LedgerEvent).t),
    ).toEqual(["attempt", "created", "attempt"]);
  });

  it("events appended together (appendAll) land whole and in order among single appends made at the same moment", async () => {
    const store = newStore();
    const lock = await store.lock();
    try {
      const writer = await lock.openWriter(0);
      const together = Array.from({ length: 300 }, (_, i) => attempt(`+2${i}`, i % 60));
      await Promise.all([
        writer.append(attempt("+1", 1)),
        writer.appendAll(together),
        writer.append(created("+1", 2)),
        writer.appendAll([]),
      ]);
      await writer.close();
    } finally {
      await lock.release();
    }
    const read = (await all(store)).map((e) => ("to" in e ? `${e.t} ${e.to}` : e.t));
    expect(read).toEqual(["attempt +1", ...Array.from({ length: 300 }, (_, i) => `attempt +2${i}`), "created +1"]);
  });

  it("one holder at a time: a second lock is refused naming the holder, and is granted once released", async () => {
    const store = newStore();
    await append(store, [attempt("+1", 1)]);
    const held = await store.lock();
    const other = newStoreLike(store);
    await expect(other.lock()).rejects.toBeInstanceOf(LockHeldError);
    await held.release();
    const next = await other.lock();
    await next.release();
  });

  it("identifies a position the same way after it grew (the checkpoint's check that it only grew)", async () => {
    const store = newStore();
    await append(store, [attempt("+1", 1), created("+1", 2)]);
    const end = await store.end();
    const before = await store.identity(end);
    await append(store, [attempt("+2", 3)]);
    expect(await store.identity(end)).toEqual(before);
    expect(await store.identity(await store.end())).not.toEqual(before);
  });

  it("keeps a checkpoint with its key table, and notes, and reads nothing it never wrote", async () => {
    const store = newStore();
    await append(store, [attempt("+1", 1)]);
    expect(await store.readCheckpoint()).toBeUndefined();
    expect(await store.readNote("tick")).toBeUndefined();
    const checkpoint = { v: 1, fingerprint: "f", ledger: { bytes: await store.end(), head: "h", tail: "t" } } as unknown as Checkpoint;
    const table = new Float64Array([1.5, 2.5, 3.5]);
    await store.writeCheckpoint(checkpoint, table);
    const read = await store.readCheckpoint();
    expect(read?.checkpoint).toMatchObject({ fingerprint: "f" });
    expect([...read!.table]).toEqual([1.5, 2.5, 3.5]);
    expect((await store.readCheckpoint({ table: false }))?.checkpoint).toMatchObject({ fingerprint: "f" });
    await store.writeNote("tick", '{"idleUntil":1}');
    await store.writeNote("tick", '{"idleUntil":2}');
    expect(await store.readNote("tick")).toBe('{"idleUntil":2}');
  });

  it("keeps a standing tick's row cache with its bytes; a ledger event since it names the appointment whose rows are parsed again", async () => {
    const store = newStore();
    await append(store, [attempt("+1", 1)]);
    expect(await loadRowCache(store, "f")).toBeUndefined();
    const next = new RowCacheBuilder(2);
    next.add(101, { kind: "later", appointment: 0, times: [10, 20, 30, 40] });
    next.add(102, { kind: "excluded", key: "A2", reason: 'Status is "Cancelled"' });
    next.add(103, { kind: "other-shard" });
    await saveRowCache(store, next, { fingerprint: "f", header: 7 });
    const usable = (await loadRowCache(store, "f"))!;
    expect(usable.stale.size).toBe(0);
    const later = usable.cache.find(101);
    // Due at 10 (deadline 20) and at 30 (deadline 40): it holds until 10.
    expect(later).toMatchObject({ kind: "later", appointment: 0, wake: 10 });
    if (later?.kind === "later") expect([...later.times.subarray(later.at, later.at + later.count)]).toEqual([10, 30]);
    expect(usable.cache.find(102)).toMatchObject({ kind: "excluded", key: "A2", reason: 'Status is "Cancelled"' });
    expect(usable.cache.find(103)).toMatchObject({ kind: "other-shard" });
    expect(usable.cache.find(104)).toBeUndefined();
    // Another campaign (or an edited one) never reads it.
    expect(await loadRowCache(store, "g")).toBeUndefined();
    // An event about A1's reminder after the cache: A1's row is parsed again.
    await append(store, [
      { t: "attempt", row: 1, to: "+1", from: FROM, key: "A1", reminder: "day-before", appointmentAt: at(0), n: 1, at: at(2) },
    ]);
    expect([...(await loadRowCache(store, "f"))!.stale]).toEqual(["A1"]);
  });

  it("reads recent events newest first, of the types asked, since the time asked", async () => {
    const store = newStore();
    await append(store, [attempt("+1", 1), created("+1", 2), attempt("+2", 3), created("+2", 4), attempt("+3", 5)]);
    const recent: LedgerEvent[] = [];
    for await (const event of store.recentEvents(Date.parse(at(2)), new Set(["created", "attempt"] as const))) recent.push(event);
    expect(recent.map((e) => `${e.t} ${e.at}`)).toEqual([`attempt ${at(5)}`, `created ${at(4)}`, `attempt ${at(3)}`, `created ${at(2)}`]);
    const onlyCreated: LedgerEvent[] = [];
    for await (const event of store.recentEvents(0, new Set(["created"] as const))) onlyCreated.push(event);
    expect(onlyCreated.map((e) => e.at)).toEqual([at(4), at(2)]);
  });
});

/** Another handle on the same ledger, as a second process would open it. */
function newStoreLike(store: LedgerStore): LedgerStore {
  const match = /campaign (\S+?)\)/.exec(store.label);
  return match ? openLedgerStore(pg.url, match[1]!, undefined, postgres) : openLedgerStore(store.label, "c");
}
