import type { AppointmentBook } from "../appointment-book.js";
import { createHash, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Client, QueryResultRow } from "pg";
import { GroupCommit } from "../../group-commit.js";
import { appointmentsOf, checkpointParts, tableOffset, type Checkpoint, type ReadCheckpoint } from "../checkpoint.js";
import { LedgerError, LedgerIoError } from "../errors.js";
import type { LedgerEvent } from "../events.js";
import { LockHeldError, type LockHolder } from "../errors.js";
import type { LedgerLockHandle, LedgerStore, LedgerWriter } from "../ledger-store.js";
import type { LedgerScan } from "../ledger-store.js";
import type { ReportSource } from "../report-source.js";
import {
  currentPostgres,
  ioError,
  openDatabase,
  parsePostgresLocation,
  pgModule,
  PostgresConnections,
  type Database,
} from "./postgres-connections.js";

const PAGE = 5_000;

/**
 * The ledger as rows of PostgreSQL (docs/reference.md §15): every guarantee of the file. An event is
 * committed, with `synchronous_commit` on, before `append` resolves — the group commit is one
 * INSERT of a batch in one transaction. One run per campaign (per shard: shards of one campaign
 * write one ledger from several machines) holds a session-level advisory lock on the very
 * connection that writes its events, and records who it is for the next one to name; a dead
 * holder's session ends (keepalives) and its lock with it. A position is the last event's id.
 */
export class PostgresLedger implements LedgerStore {
  readonly label: string;
  readonly #location: string;
  readonly #campaign: string;
  readonly #scope: string;

  readonly #connections: PostgresConnections;

  /**
   * `connections`: whose pool it uses — by default the command's (`withLedgerStores`), which end
   * with it; outside a command, its own (their idle connections close after 5 s).
   */
  constructor(location: string, campaign: string, scope = "", connections?: PostgresConnections) {
    this.#location = location;
    this.#campaign = campaign;
    this.#scope = scope;
    this.#connections = connections ?? currentPostgres() ?? new PostgresConnections();
    this.label = `${parsePostgresLocation(location).label} (campaign ${campaign}${scope ? `, shard ${scope}` : ""})`;
  }

  #db(): Promise<Database> {
    return openDatabase(this.#location, this.label, this.#connections);
  }

  #table(db: Database, name: string): string {
    return `"${db.schema}".${name}`;
  }

  /** A query on the pool; a failure (the server gone) names the ledger and is an operator condition (exit 75). */
  async #query<R extends object>(
    db: Database,
    sql: string,
    params: unknown[],
    action = "be read",
  ): Promise<{ rows: R[]; rowCount: number | null }> {
    try {
      return await db.pool.query<R & QueryResultRow>(sql, params);
    } catch (err) {
      throw ioError(this.label, action, err);
    }
  }

  async exists(): Promise<boolean> {
    const db = await this.#db();
    const result = await this.#query(db, `SELECT 1 FROM ${this.#table(db, "events")} WHERE campaign = $1 LIMIT 1`, [this.#campaign]);
    return result.rowCount !== 0;
  }

  async lock(): Promise<LedgerLockHandle> {
    const db = await this.#db();
    const pg = await pgModule();
    const client = new pg.Client(parsePostgresLocation(this.#location).config);
    client.on("error", () => undefined); // a lost connection surfaces as the next query's error
    try {
      await client.connect();
      await refuseTransactionPooler(client, this.label);
      const key = lockKey(db.schema, this.#campaign, this.#scope);
      const got = (await client.query("SELECT pg_try_advisory_lock($1::bigint) AS got", [key])).rows[0]?.got === true;
      if (!got) {
        const row = (
          await client.query(`SELECT holder FROM ${this.#table(db, "locks")} WHERE campaign = $1 AND scope = $2`, [
            this.#campaign,
            this.#scope,
          ])
        ).rows[0] as { holder: LockHolder } | undefined;
        throw new LockHeldError(this.label, row?.holder ?? { pid: 0, host: "an unknown host", since: "an unknown time", token: "" });
      }
      const holder: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomUUID() };
      await client.query(
        `INSERT INTO ${this.#table(db, "locks")} (campaign, scope, holder) VALUES ($1, $2, $3) ` +
          `ON CONFLICT (campaign, scope) DO UPDATE SET holder = EXCLUDED.holder`,
        [this.#campaign, this.#scope, JSON.stringify(holder)],
      );
    } catch (err) {
      await client.end().catch(() => undefined);
      throw ioError(this.label, "be locked", err);
    }
    return {
      // The connection that holds the lock writes the events: the lock and the writes are one session.
      openWriter: async () => new PostgresLedgerWriter(client, this.#table(db, "events"), this.#campaign, this.label),
      // Ending the session frees the advisory lock, whatever state the connection is in.
      release: () => client.end().catch(() => undefined),
    };
  }

  async *batches(scan: LedgerScan = { validBytes: 0, tornTail: false }, from = 0): AsyncGenerator<LedgerEvent[]> {
    for await (const rows of this.#pages(from)) {
      scan.validBytes = Number(rows.at(-1)!.id);
      yield rows.map((r) => JSON.parse(r.event) as LedgerEvent);
    }
    scan.validBytes = Math.max(scan.validBytes, from);
  }

  async *text(scan: LedgerScan = { validBytes: 0, tornTail: false }, from = 0): AsyncGenerator<string> {
    for await (const rows of this.#pages(from)) {
      scan.validBytes = Number(rows.at(-1)!.id);
      yield `${rows.map((r) => r.event).join("\n")}\n`;
    }
  }

  /**
   * The report's ranges, each one indexed query: the events of rows [low, high) by `(campaign,
   * row)`, and the events of the Executions they created by `(campaign, sid)` — two index scans in
   * one UNION ALL (an OR of the two made PostgreSQL scan the whole campaign each range: 75 s for a
   * million rows).
   */
  async openReport(): Promise<ReportSource> {
    const db = await this.#db();
    const events = this.#table(db, "events");
    const max = await this.#query<{ max: number | null }>(db, `SELECT max(row) AS max FROM ${events} WHERE campaign = $1`, [
      this.#campaign,
    ]);
    const flow = await this.#query<{ event: string }>(
      db,
      `SELECT event FROM ${events} WHERE campaign = $1 AND t = 'flow' ORDER BY id DESC LIMIT 1`,
      [this.#campaign],
    );
    // The range's lines in ledger order; only the lines come back (the ids order them in the database).
    const rangeSql =
      `SELECT event FROM (SELECT id, event FROM ${events} WHERE campaign = $1 AND row >= $2 AND row < $3 UNION ALL ` +
      `SELECT id, event FROM ${events} WHERE campaign = $1 AND row IS NULL AND sid IN ` +
      `(SELECT sid FROM ${events} WHERE campaign = $1 AND row >= $2 AND row < $3 AND t IN ('created', 'adopted'))) lines ORDER BY id`;
    return {
      maxRow: max.rows[0]?.max ?? 0,
      flowLine: flow.rows[0]?.event,
      range: async (low, high) => {
        const result = await this.#query<{ event: string }>(db, rangeSql, [this.#campaign, low, high]);
        return result.rows.length === 0 ? "" : `${result.rows.map((r) => r.event).join("\n")}\n`;
      },
      close: async () => undefined,
    };
  }

  async *#pages(from: number): AsyncGenerator<Array<{ id: string; event: string }>> {
    const db = await this.#db();
    let after = from;
    for (;;) {
      const result = await db.pool
        .query<{ id: string; event: string }>(
          `SELECT id, event FROM ${this.#table(db, "events")} WHERE campaign = $1 AND id > $2 ORDER BY id LIMIT ${PAGE}`,
          [this.#campaign, after],
        )
        .catch((err: unknown) => Promise.reject(ioError(this.label, "be read", err)));
      if (result.rows.length === 0) return;
      yield result.rows;
      after = Number(result.rows.at(-1)!.id);
      if (result.rows.length < PAGE) return;
    }
  }

  async end(): Promise<number> {
    const db = await this.#db();
    const result = await this.#query<{ end: string | null }>(
      db,
      `SELECT max(id) AS end FROM ${this.#table(db, "events")} WHERE campaign = $1`,
      [this.#campaign],
    );
    return Number(result.rows[0]?.end ?? 0);
  }

  /** The first event and the one at `position`: a ledger replaced or cut since the checkpoint has other ones. */
  async identity(position: number): Promise<{ head: string; tail: string }> {
    const db = await this.#db();
    const events = this.#table(db, "events");
    const first = await this.#query<{ id: string; event: string }>(
      db,
      `SELECT id, event FROM ${events} WHERE campaign = $1 ORDER BY id LIMIT 1`,
      [this.#campaign],
    );
    const last = await this.#query<{ id: string; event: string }>(db, `SELECT id, event FROM ${events} WHERE campaign = $1 AND id = $2`, [
      this.#campaign,
      position,
    ]);
    const hash = (row: { id: string; event: string } | undefined) =>
      row ? createHash("sha256").update(`${row.id}\n${row.event}`).digest("hex") : "none";
    return { head: hash(first.rows[0]), tail: hash(last.rows[0]) };
  }

  /** The checkpoint's bytes (packed appointments, then the key table) are its `keys` column. */
  async readCheckpoint(options: { table?: boolean } = {}): Promise<ReadCheckpoint | undefined> {
    const db = await this.#db();
    // Without the table, only the packed appointments before it cross the wire (a survey's table is 16 MB at a million contacts).
    const keys =
      options.table === false ? "substring(keys from 1 for coalesce((checkpoint::json->>'appointmentBytes')::int, 0)) AS keys" : "keys";
    const result = await db.pool
      .query<{ checkpoint: string; keys: Buffer }>(
        `SELECT checkpoint, ${keys} FROM ${this.#table(db, "checkpoints")} WHERE campaign = $1 AND scope = $2`,
        [this.#campaign, this.#scope],
      )
      .catch(() => undefined);
    const row = result?.rows[0];
    if (!row) return undefined;
    const checkpoint = JSON.parse(row.checkpoint) as Checkpoint;
    const appointments = appointmentsOf(checkpoint, row.keys);
    if (checkpoint.v !== 1 || appointments === false) return undefined;
    if (options.table === false) return { checkpoint, table: new Float64Array(0), appointments };
    const tableBytes = row.keys.subarray(tableOffset(checkpoint));
    if (tableBytes.length % 8 !== 0) return undefined;
    const table = new Float64Array(tableBytes.length / 8);
    new Uint8Array(table.buffer).set(tableBytes);
    return { checkpoint, table, appointments };
  }

  async writeCheckpoint(checkpoint: Checkpoint, table: Float64Array, appointments?: AppointmentBook): Promise<void> {
    const db = await this.#db();
    const { json, binary } = checkpointParts(checkpoint, table, appointments);
    await this.#query(
      db,
      `INSERT INTO ${this.#table(db, "checkpoints")} (campaign, scope, checkpoint, keys) VALUES ($1, $2, $3, $4) ` +
        `ON CONFLICT (campaign, scope) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, keys = EXCLUDED.keys`,
      [this.#campaign, this.#scope, json.toString(), Buffer.concat(binary)],
    );
  }

  /** A note is a row of the checkpoints table of its own scope (`<scope>#<name>`). */
  async readNote(name: string): Promise<string | undefined> {
    const db = await this.#db();
    const result = await db.pool
      .query<{ checkpoint: string }>(`SELECT checkpoint FROM ${this.#table(db, "checkpoints")} WHERE campaign = $1 AND scope = $2`, [
        this.#campaign,
        `${this.#scope}#${name}`,
      ])
      .catch(() => undefined);
    return result?.rows[0]?.checkpoint;
  }

  async writeNote(name: string, text: string, data?: readonly Uint8Array[]): Promise<void> {
    const db = await this.#db();
    await this.#query(
      db,
      `INSERT INTO ${this.#table(db, "checkpoints")} (campaign, scope, checkpoint, keys) VALUES ($1, $2, $3, $4) ` +
        `ON CONFLICT (campaign, scope) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, keys = EXCLUDED.keys`,
      [this.#campaign, `${this.#scope}#${name}`, text, Buffer.concat(data ?? [])],
      "be written",
    );
  }

  /** A note's text and its bytes (the `keys` column). */
  async readNoteData(name: string): Promise<{ text: string; data: Uint8Array } | undefined> {
    const db = await this.#db();
    const result = await db.pool
      .query<{ checkpoint: string; keys: Buffer }>(
        `SELECT checkpoint, keys FROM ${this.#table(db, "checkpoints")} WHERE campaign = $1 AND scope = $2`,
        [this.#campaign, `${this.#scope}#${name}`],
      )
      .catch(() => undefined);
    const row = result?.rows[0];
    return row ? { text: row.checkpoint, data: row.keys } : undefined;
  }

  async *recentEvents(since: number, types: ReadonlySet<LedgerEvent["t"]>): AsyncGenerator<LedgerEvent> {
    const db = await this.#db();
    const result = await this.#query<{ event: string }>(
      db,
      `SELECT event FROM ${this.#table(db, "events")} WHERE campaign = $1 AND t = ANY($2) AND at >= $3 ORDER BY id DESC`,
      [this.#campaign, [...types], new Date(since)],
    );
    for (const row of result.rows) yield JSON.parse(row.event) as LedgerEvent;
  }
}

/** A 64-bit advisory lock key for one campaign (and shard) in one schema. */
function lockKey(schema: string, campaign: string, scope: string): string {
  return createHash("sha256").update(`${schema}\n${campaign}\n${scope}`).digest().readBigInt64BE(0).toString();
}

/**
 * A pooler in transaction mode (PgBouncer's `pool_mode = transaction`) hands each transaction to
 * any server connection: a session lock would be taken on one and "held" by none. Such a pooler
 * shows as a backend process that changes between two statements of one client connection.
 */
export async function refuseTransactionPooler(client: Client, label: string): Promise<void> {
  const pids = new Set<number>();
  for (let i = 0; i < 3; i++) pids.add((await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid);
  if (pids.size > 1)
    throw new LedgerError(
      `${label}: this connection goes through a pooler in transaction mode (its statements ran on ${pids.size} server processes): ` +
        `the ledger's lock needs a session; connect to PostgreSQL directly, or through a session-mode pool`,
    );
}

/** Group commit on the lock's own connection: one INSERT of every waiting event (one transaction), `synchronous_commit` on. */
class PostgresLedgerWriter implements LedgerWriter {
  readonly #commits: GroupCommit<LedgerEvent>;

  constructor(
    readonly client: Client,
    readonly table: string,
    readonly campaign: string,
    readonly label: string,
  ) {
    this.#commits = new GroupCommit<LedgerEvent>({
      commit: (events) => this.#insert(events),
      failure: (err) => new LedgerIoError(label, "be written", err),
      poisonOnFailure: true,
    });
  }

  get failed(): boolean {
    return this.#commits.failed;
  }

  append(event: LedgerEvent): Promise<void> {
    return this.#commits.add(event);
  }

  appendAll(events: readonly LedgerEvent[]): Promise<void> {
    return this.#commits.addAll(events);
  }

  flush(): Promise<void> {
    return this.#commits.flush();
  }

  close(): Promise<void> {
    return this.flush();
  }

  async #insert(events: LedgerEvent[]): Promise<void> {
    const field = (key: string) => events.map((e) => (e as unknown as Record<string, unknown>)[key]);
    const rows = field("row").map((r) => (typeof r === "number" ? r : null));
    const sids = field("sid").map((s) => (typeof s === "string" ? s : null));
    await this.client.query(
      `INSERT INTO ${this.table} (campaign, t, row, sid, at, event) ` +
        `SELECT $1, * FROM unnest($2::text[], $3::integer[], $4::text[], $5::timestamptz[], $6::text[])`,
      [this.campaign, field("t"), rows, sids, field("at"), events.map((e) => JSON.stringify(e))],
    );
  }
}
