import { AsyncLocalStorage } from "node:async_hooks";
import type { Pool } from "pg";
import { Resources } from "../../resources.js";
import type { PoolConfig } from "pg";
import { StudioCampaignError } from "../../errors.js";
import { LedgerError, LedgerIoError } from "../errors.js";

/** One database's pool, its tables created on first use (`ready`). */
export interface Database {
  pool: Pool;
  schema: string;
  ready: Promise<void>;
}

export async function pgModule(): Promise<typeof import("pg")> {
  return (await import("pg")).default as unknown as typeof import("pg"); // pg: only when a database ledger is used
}

/**
 * The PostgreSQL pools one command opened (docs/reference.md §15): one per database URL, shared
 * by its ledger and its opt-out list, tables created on first use, all ended when the command
 * ends — the command's `Resources` close them. Nothing of it outlives the command.
 */
export class PostgresConnections {
  readonly #databases = new Map<string, Database>();

  database(location: string): Database {
    let db = this.#databases.get(location);
    if (db) return db;
    const { config, schema } = parsePostgresLocation(location);
    const made: Database = { pool: undefined as unknown as Pool, schema, ready: Promise.resolve() };
    made.ready = pgModule().then(async (pg) => {
      made.pool = new pg.Pool({ ...config, max: 4, idleTimeoutMillis: 5_000 });
      made.pool.on("error", () => undefined); // an idle client's error: the next query reports it
      await createTables(made.pool, schema);
    });
    this.#databases.set(location, (db = made));
    return db;
  }

  /** A database that could not be opened: the next use tries again. */
  forget(location: string): void {
    this.#databases.delete(location);
  }

  async close(): Promise<void> {
    const all = [...this.#databases.values()];
    this.#databases.clear();
    await Promise.all(all.map((db) => db.ready.then(() => db.pool.end()).catch(() => undefined)));
  }
}

const current = new AsyncLocalStorage<PostgresConnections>();

/**
 * `work` with PostgreSQL connections of its own, ended when it ends however it ends: a command
 * (`runCli`), or a run outside one (`sendCampaign` in-process: with the run's `resources`).
 * Inside a command, `work` uses the command's.
 */
export async function withPostgresConnections<T>(work: () => Promise<T>, resources?: Resources): Promise<T> {
  if (current.getStore()) return await work(); // inside a command: its connections
  const connections = new PostgresConnections();
  if (resources) {
    resources.defer(() => connections.close());
    return await current.run(connections, work);
  }
  await using owned = new Resources();
  owned.defer(() => connections.close());
  return await current.run(connections, work);
}

/** The connections of the command under way (undefined outside one: a store then has its own). */
export function currentPostgres(): PostgresConnections | undefined {
  return current.getStore();
}

/** The tables' version: a later release that changes them migrates from this number. */
export const SCHEMA_VERSION = 1;
const DEFAULT_SCHEMA = "studio_campaign";

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * A `postgres://USER@HOST:PORT/DB` location: the connection (`?schema=NAME` chooses the schema,
 * default `studio_campaign`) and a label without the password. The password comes from the
 * environment only — `PGPASSWORD`, `~/.pgpass`, or the env URL (docs/reference.md §15) — and never reaches a
 * message: the label is built from the URL with it removed.
 */
export function parsePostgresLocation(location: string): { config: PoolConfig; schema: string; label: string } {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new LedgerError(`the ledger URL is not a URL (postgres://USER@HOST:PORT/DB)`);
  }
  const schema = url.searchParams.get("schema") ?? DEFAULT_SCHEMA;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema))
    // The value is not echoed: a malformed URL may have put anything there, its password included.
    throw new LedgerError(`the ledger URL's schema must be a plain SQL name (letters, digits, _)`);
  url.searchParams.delete("schema");
  const shown = new URL(url.href);
  shown.password = "";
  return {
    config: {
      connectionString: url.href,
      application_name: "studio-campaign",
      connectionTimeoutMillis: 10_000,
      // The client notices a server that went away; the server, through these session settings,
      // notices a dead holder within ~25 s, ends its session, and so frees its lock.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      options: "-c synchronous_commit=on -c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3",
    },
    schema,
    label: `${shown.href}`,
  };
}

/** Tables on first use, in one transaction under a lock so that two first runs do not race. */
async function createTables(pool: Pool, schema: string): Promise<void> {
  const s = `"${schema}"`;
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(7301, 1)");
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.meta (key text PRIMARY KEY, value text NOT NULL)`);
    await client.query(`INSERT INTO ${s}.meta VALUES ('schema_version', $1) ON CONFLICT (key) DO NOTHING`, [String(SCHEMA_VERSION)]);
    const version = Number((await client.query(`SELECT value FROM ${s}.meta WHERE key = 'schema_version'`)).rows[0]?.value);
    if (version > SCHEMA_VERSION)
      throw new LedgerError(
        `schema ${schema} is at version ${version}, newer than this release's ${SCHEMA_VERSION}: upgrade studio-campaign`,
      );
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.events (campaign text NOT NULL, id bigserial, t text NOT NULL, row integer, sid text, ` +
        `at timestamptz, event text NOT NULL, PRIMARY KEY (campaign, id))`,
    );
    await client.query(`CREATE INDEX IF NOT EXISTS events_row ON ${s}.events (campaign, row) WHERE row IS NOT NULL`);
    await client.query(`CREATE INDEX IF NOT EXISTS events_sid ON ${s}.events (campaign, sid) WHERE sid IS NOT NULL`);
    await client.query(`CREATE INDEX IF NOT EXISTS events_attempt_at ON ${s}.events (campaign, at) WHERE t = 'attempt'`);
    // Executions created since a doubt (recentEvents): by type and time.
    await client.query(`CREATE INDEX IF NOT EXISTS events_t_at ON ${s}.events (campaign, t, at)`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.locks (campaign text NOT NULL, scope text NOT NULL, holder jsonb NOT NULL, PRIMARY KEY (campaign, scope))`,
    );
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.checkpoints (campaign text NOT NULL, scope text NOT NULL, checkpoint text NOT NULL, ` +
        `keys bytea NOT NULL, PRIMARY KEY (campaign, scope))`,
    );
    // The opt-out list shared by every campaign on this database (docs/reference.md §12): entries in the order committed.
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.opt_outs (id bigserial PRIMARY KEY, number text NOT NULL, at text NOT NULL, ` +
        `campaign text NOT NULL, event text NOT NULL, reason text NOT NULL)`,
    );
    await client.query(`CREATE INDEX IF NOT EXISTS opt_outs_opt_ins ON ${s}.opt_outs (id) WHERE event = 'opt_in'`);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * The database at a location, its tables created (another store than the ledger's uses the same
 * pool: the opt-out list), from `connections`. A failure to open it is an operator condition
 * naming `label`.
 */
export async function openPostgres(
  location: string,
  label: string,
  connections: PostgresConnections,
): Promise<{ pool: Pool; table: (name: string) => string }> {
  const db = await openDatabase(location, label, connections);
  return { pool: db.pool, table: (name) => `"${db.schema}".${name}` };
}

export async function openDatabase(location: string, label: string, connections: PostgresConnections): Promise<Database> {
  const db = connections.database(location);
  try {
    await db.ready;
  } catch (err) {
    connections.forget(location);
    throw ioError(label, "be opened", err);
  }
  return db;
}

/** A query failure while PostgreSQL is unreachable or failing: an operator condition (exit 75), naming the ledger. */
export function ioError(label: string, action: string, err: unknown): StudioCampaignError {
  return err instanceof StudioCampaignError ? err : new LedgerIoError(label, action, err);
}
