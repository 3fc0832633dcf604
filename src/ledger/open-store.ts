import { FileLedger } from "./file/file-ledger.js";
import type { LedgerStore } from "./ledger-store.js";
import { PostgresLedger } from "./postgres/postgres-ledger.js";
import { isPostgresUrl, withPostgresConnections, type PostgresConnections } from "./postgres/postgres-connections.js";
import type { Resources } from "../resources.js";

/**
 * The campaign's ledger from its location (docs/reference.md §15): a `postgres://` or `postgresql://` URL
 * keeps it in PostgreSQL (the campaign's name keys its rows there), anything else is a file path.
 * `shard`: `K/N` when the run is one shard of several.
 */
export function openLedgerStore(location: string, campaign: string, shard?: string, postgres?: PostgresConnections): LedgerStore {
  // Shards of one campaign each keep a file of their own; in PostgreSQL they share the campaign's rows, each with its own lock and checkpoint.
  return isPostgresUrl(location) ? new PostgresLedger(location, campaign, shard ?? "", postgres) : new FileLedger(location);
}

/**
 * `work` — a command, or a run inside it — with the stores it opens: their PostgreSQL connections
 * (one pool a database, shared by a ledger and its opt-out list) are `work`'s own, ended when it
 * ends (with `resources` when given), so that nothing of it keeps the process alive.
 */
export function withLedgerStores<T>(work: () => Promise<T>, resources?: Resources): Promise<T> {
  return withPostgresConnections(work, resources);
}
