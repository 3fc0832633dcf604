import { FileLedger } from "./file/file-ledger.js";
import type { LedgerStore } from "./ledger-store.js";
import { PostgresLedger, closePostgresPools, isPostgresUrl } from "./postgres/postgres-ledger.js";

/**
 * The campaign's ledger from its location (docs/reference.md §15): a `postgres://` or `postgresql://` URL
 * keeps it in PostgreSQL (the campaign's name keys its rows there), anything else is a file path.
 * `shard`: `K/N` when the run is one shard of several.
 */
export function openLedgerStore(location: string, campaign: string, shard?: string): LedgerStore {
  // Shards of one campaign each keep a file of their own; in PostgreSQL they share the campaign's rows, each with its own lock and checkpoint.
  return isPostgresUrl(location) ? new PostgresLedger(location, campaign, shard ?? "") : new FileLedger(location);
}

/** End what a command opened (PostgreSQL pools): the process then exits at once. */
export async function closeLedgerStores(): Promise<void> {
  await closePostgresPools();
}
