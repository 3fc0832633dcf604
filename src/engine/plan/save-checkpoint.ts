import { openContactRows } from "../../contacts/pipeline.js";
import { recordEndsAreFinal } from "../../contacts/read-csv.js";
import { loadSuppression } from "../../contacts/suppression.js";
import { hashRange, type Checkpoint } from "../../ledger/checkpoint.js";
import { campaignLedger } from "../../campaign/campaign-ledger.js";
import type { LedgerState } from "../../ledger/fold.js";
import type { Campaign } from "../../campaign/campaign.js";
import { campaignFingerprint } from "./campaign-state.js";
import type { CheckpointPolicy } from "./checkpoint-policy.js";
import { FinalPrefixTracker, type FinalPrefix } from "./final-prefix.js";
import { emptyCounts, isFinalContactStatus, type RowStatus } from "../../ledger/row-status.js";
import { SeenKeys } from "../../contacts/seen-keys.js";
import type { ShardSpec } from "../../contacts/shard.js";

/**
 * After a run (its ledger flushed and closed, its lock still held): extend the final prefix the
 * run's own pass marked over the rows that became final while it sent, and write the checkpoint
 * the next run starts from. Reads the CSV only from where the run's prefix stopped; writes
 * nothing when the ledger did not change since the checkpoint the run started from (`since`).
 */
export async function saveCheckpoint(
  campaign: Campaign,
  options: {
    state: LedgerState;
    prefix: FinalPrefix | undefined;
    since: Checkpoint | undefined;
    shard: ShardSpec | undefined;
    policy: CheckpointPolicy;
  },
): Promise<void> {
  const { state, since, policy } = options;
  const ledger = campaignLedger(campaign, options.shard);
  const ledgerBytes = await ledger.end();
  // Nothing new became final, or (a standing campaign) not enough to be worth rewriting every appointment.
  if (since && ledgerBytes - since.ledger.bytes < policy.minGrowth(since.ledger.bytes)) return;
  // Without a final prefix (a snapshot, read whole every run: docs/reference.md §16) the checkpoint
  // caches the ledger's fold only.
  const extended = options.prefix ? await extendPrefix(campaign, state, options.prefix, options.shard) : emptyPrefix(campaign);
  const { point } = extended;
  // Every unit the prefix does not hold keeps its folded state in the checkpoint.
  const contacts = [...state.units].filter(([key]) => {
    const bar = key.indexOf("|");
    return !extended.seen.has(key.slice(0, bar), key.slice(bar + 1));
  });
  const snapshot = extended.seen.snapshot();
  await ledger.writeCheckpoint(
    {
      v: 1,
      fingerprint: await campaignFingerprint(campaign, options.shard),
      ledger: { bytes: ledgerBytes, ...(await ledger.identity(ledgerBytes)) },
      csv: { ...point, prefixHash: await hashRange(campaign.contactsPath, 0, point.bytes) },
      prefixCounts: extended.counts,
      contacts,
      skippedRows: [...state.skippedRows].filter((row) => row > point.rows),
      ...(state.replies.size > 0 ? { replies: [...state.replies] } : {}),
      header: state.header,
      flow: state.flow,
      seen: { defaultFrom: snapshot.defaultFrom, size: snapshot.size, others: snapshot.others },
    },
    snapshot.table,
    state.appointments.size > 0 ? state.appointments : undefined,
  );
}

function emptyPrefix(campaign: Campaign): FinalPrefix {
  return { point: { header: [], bytes: 0, rows: 0, lines: 0 }, counts: emptyCounts(), seen: new SeenKeys(campaign.from) };
}

/** The run's final prefix, extended over the rows that became final while it sent: the CSV read from where the prefix stopped. */
async function extendPrefix(
  campaign: Campaign,
  state: LedgerState,
  prefix: FinalPrefix,
  shard: ShardSpec | undefined,
): Promise<FinalPrefix> {
  const suppressed = await loadSuppression(campaign.suppressPath, campaign.defaultRegion);
  const seen = prefix.seen; // the run is done with it: it grows into the extended prefix's
  const csv = await openContactRows(campaign, { suppressed, resume: prefix.point, seen, shard });
  const tracker = new FinalPrefixTracker({
    start: prefix.point,
    counts: prefix.counts,
    seen,
    committable: await recordEndsAreFinal(campaign.contactsPath),
  });
  for await (const { record, verdict, key, kept, otherShard } of csv.rows()) {
    tracker.read(record, kept);
    let status: RowStatus | undefined;
    // Rows of another shard are not this ledger's: final here, and not counted (as in the run).
    if (!otherShard) {
      const known =
        verdict.status === "sendable" ? state.units.get(key!)?.status : state.skippedRows.has(verdict.row) ? verdict.status : undefined;
      // Not final: the prefix ends before it (`result()` leaves out the rows since the last boundary).
      if (known === undefined || (verdict.status === "sendable" && !isFinalContactStatus(known))) break;
      status = known;
    }
    tracker.final(status);
  }
  return tracker.result();
}
