import { openLedgerStore } from "../ledger/open-store.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import type { Campaign } from "./campaign.js";
import type { ShardSpec } from "../contacts/shard.js";

/** The campaign's ledger, a file or PostgreSQL (docs/reference.md §15), for this shard when the run is one. */
export function campaignLedger(campaign: Pick<Campaign, "ledgerPath" | "name">, shard?: ShardSpec): LedgerStore {
  return openLedgerStore(campaign.ledgerPath, campaign.name, shard === undefined ? undefined : `${shard.index}/${shard.count}`);
}
