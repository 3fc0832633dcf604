import { GroupCommit } from "../group-commit.js";
import { PostgresConnections, currentPostgres, openPostgres, parsePostgresLocation } from "../ledger/postgres/postgres-connections.js";
import { OptOutListError, type OptOutEntry, type OptOutStore } from "./opt-out-store.js";

/** Rows read per query: a long list comes in pages, never in one result. */
const PAGE = 10_000;
/** Rows inserted per statement (5 parameters each, 65 535 at most a statement). */
const INSERT_ROWS = 5_000;

/**
 * The list as a table in PostgreSQL (docs/reference.md §12, "where the ledger is shared, so is the list"):
 * `opt_outs` in the ledger's schema, one row per entry, shared by every campaign and machine on
 * the database. An append is one transaction, committed (`synchronous_commit` on) before it
 * resolves, taken under a transaction-scoped advisory lock: appends commit one after another,
 * so the ids are in commit order and a reader that asks for the ids after the last it saw never
 * skips one that a slower transaction committed later. The password never reaches a message.
 */
export class PostgresOptOutStore implements OptOutStore {
  readonly label: string;
  readonly #location: string;
  readonly #commits: GroupCommit<OptOutEntry>;

  /** The command's connections (its ledger's pool, when on the same database), else its own: ended on `close`. */
  readonly #connections: PostgresConnections;
  readonly #own: boolean;

  constructor(location: string) {
    this.#location = location;
    const shared = currentPostgres();
    this.#connections = shared ?? new PostgresConnections();
    this.#own = shared === undefined;
    this.label = `${parsePostgresLocation(location).label} (opt_outs)`;
    this.#commits = new GroupCommit<OptOutEntry>({ commit: (entries) => this.#insert(entries), poisonOnFailure: false });
  }

  async readSince(position: number): Promise<{ entries: OptOutEntry[]; position: number }> {
    const db = await openPostgres(this.#location, this.label, this.#connections);
    const entries: OptOutEntry[] = [];
    let last = position;
    try {
      for (;;) {
        const result = await db.pool.query<OptOutEntry & { id: string }>(
          `SELECT id, number, at, campaign, event, reason FROM ${db.table("opt_outs")} WHERE id > $1 ORDER BY id LIMIT ${PAGE}`,
          [last],
        );
        for (const row of result.rows) {
          entries.push({
            number: row.number,
            at: row.at,
            campaign: row.campaign,
            event: row.event === "opt_in" ? "opt_in" : "opt_out",
            reason: row.reason,
          });
          last = Number(row.id);
        }
        if (result.rows.length < PAGE) break;
      }
    } catch (err) {
      throw new OptOutListError(this.label, "be read", err);
    }
    return { entries, position: last };
  }

  append(entries: readonly OptOutEntry[]): Promise<void> {
    return Promise.all(entries.map((entry) => this.#commits.add(entry))).then(() => undefined);
  }

  async #insert(entries: OptOutEntry[]): Promise<void> {
    const db = await openPostgres(this.#location, this.label, this.#connections);
    const client = await db.pool.connect().catch((err: unknown) => Promise.reject(new OptOutListError(this.label, "be written", err)));
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(7301, 2)"); // appends in commit order (the ids too)
      // PostgreSQL takes at most 65 535 parameters a statement: a large import goes in several, in one transaction.
      for (let from = 0; from < entries.length; from += INSERT_ROWS) {
        const chunk = entries.slice(from, from + INSERT_ROWS);
        const values = chunk.map((_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`);
        await client.query(
          `INSERT INTO ${db.table("opt_outs")} (number, at, campaign, event, reason) VALUES ${values.join(", ")}`,
          chunk.flatMap((e) => [e.number, e.at, e.campaign, e.event, e.reason]),
        );
      }
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw new OptOutListError(this.label, "be written", err);
    } finally {
      client.release();
    }
  }

  /**
   * The last opt-in's id: a shared list grows with every STOP on every machine, and that must not
   * make every campaign's checkpoint (and every standing tick's mark) read everything again.
   */
  async identity(): Promise<string> {
    const db = await openPostgres(this.#location, this.label, this.#connections);
    try {
      const result = await db.pool.query<{ last: string | null }>(
        `SELECT max(id) AS last FROM ${db.table("opt_outs")} WHERE event = 'opt_in'`,
      );
      return `postgres:opt-ins to ${result.rows[0]?.last ?? 0}`;
    } catch (err) {
      throw new OptOutListError(this.label, "be read", err);
    }
  }

  async close(): Promise<void> {
    await this.#commits.flush().catch(() => undefined); // a failed append already rejected its caller
    if (this.#own) await this.#connections.close();
  }
}
