import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import type { CsvResumePoint } from "../../contacts/read-csv.js";
import { SeenKeys } from "../../contacts/seen-keys.js";
import { optOutsIdentity } from "../../campaign/campaign-opt-outs.js";
import { checkpointHolds, stateFromCheckpoint, type Checkpoint } from "../../ledger/checkpoint.js";
import { applyEvent, finishFold, type LedgerState } from "../../ledger/fold.js";
import { loadLedgerState } from "../../ledger/open-ledger.js";
import type { LedgerScan } from "../../ledger/ledger-store.js";
import { campaignLedger } from "../../campaign/campaign-ledger.js";
import type { Campaign } from "../../campaign/campaign.js";
import { emptyCounts, type StatusCounts } from "../../ledger/row-status.js";
import type { ShardSpec } from "../../contacts/shard.js";
import type { CheckpointPolicy } from "./checkpoint-policy.js";

/** Where a checkpoint lets reading start, and what came before that point. */
export interface ResumePoint {
  csv: CsvResumePoint;
  /**
   * The prefix's contact keys, for duplicate detection in the rest. Handed over once: the
   * reader that takes it grows it (and it is 16 MB at a million contacts: no copy is kept).
   */
  seen: SeenKeys | undefined;
  prefixCounts: StatusCounts;
  checkpoint: Checkpoint;
}

export interface CampaignState {
  state: LedgerState;
  /** Byte length of the ledger's complete lines (a torn tail beyond is cut before appending). */
  scan: LedgerScan;
  resume: ResumePoint | undefined;
}

/**
 * The campaign's state for `run`, `validate` and `--dry-run`: from the checkpoint plus the
 * ledger's newer events when the checkpoint still holds (a cron rerun reads only what is new),
 * else from the whole ledger. `--retry-failed` always reads everything: the checkpoint's
 * prefix counts transient failures as final.
 */
export async function loadCampaignState(
  campaign: Campaign,
  options: { retryFailed: boolean; shard: ShardSpec | undefined; policy: CheckpointPolicy },
): Promise<CampaignState> {
  const scan: LedgerScan = { validBytes: 0, tornTail: false };
  const ledger = campaignLedger(campaign, options.shard);
  if (!options.retryFailed) {
    // The key table only matters when rows follow the prefix (a cron rerun with nothing new skips it).
    const rowsFollow = await stat(campaign.contactsPath).then(
      (s) => s.size,
      () => Infinity,
    );
    const saved = await ledger.readCheckpoint({ table: false });
    // Without a final prefix (a standing campaign's file is a snapshot): no keys to restore.
    const wantKeys = saved !== undefined && rowsFollow > saved.checkpoint.csv.bytes && options.policy.finalPrefix;
    const withKeys = wantKeys ? await ledger.readCheckpoint() : saved;
    if (
      saved &&
      withKeys &&
      (await checkpointHolds(saved.checkpoint, ledger, campaign.contactsPath, await campaignFingerprint(campaign, options.shard)))
    ) {
      const { checkpoint, table } = withKeys;
      const state = stateFromCheckpoint(withKeys);
      for await (const batch of ledger.batches(scan, checkpoint.ledger.bytes)) for (const event of batch) applyEvent(state, event);
      if (scan.validBytes < checkpoint.ledger.bytes) scan.validBytes = checkpoint.ledger.bytes;
      finishFold(state);
      const { csv } = checkpoint;
      return {
        state,
        scan,
        resume: {
          // Without the prefix's keys, read nothing past the prefix: rows appended meanwhile wait for the next run.
          csv: { header: csv.header, bytes: csv.bytes, rows: csv.rows, lines: csv.lines, ...(wantKeys ? {} : { until: csv.bytes }) },
          seen: wantKeys ? SeenKeys.restore({ ...checkpoint.seen, table }, { adopt: true }) : undefined,
          prefixCounts: { ...emptyCounts(), ...checkpoint.prefixCounts },
          checkpoint,
        },
      };
    }
  }
  return { state: await loadLedgerState(ledger, scan), scan, resume: undefined };
}

/**
 * A hash of what decides a row's status besides the ledger: the CSV's path, the columns, the
 * sender, the region, the window's zone rules, the shard, and the suppression and opt-out lists' content.
 * Any change and the checkpoint is not used.
 */
export async function campaignFingerprint(campaign: Campaign, shard: ShardSpec | undefined): Promise<string> {
  const suppression = campaign.suppressPath === undefined ? "" : await fileHash(campaign.suppressPath);
  const window = campaign.window && {
    recipient: campaign.window.recipient,
    fallback: campaign.window.fallbackTimezone,
    zone: campaign.window.timezone,
  };
  const inputs = {
    contacts: campaign.contactsPath,
    from: campaign.from,
    region: campaign.defaultRegion,
    columns: campaign.columns,
    // How rows are read and which are left out (docs/reference.md §17): a change re-judges every row.
    csv: campaign.csv,
    dateFormat: campaign.dateFormat,
    filters: campaign.filters && {
      exclude: campaign.filters.exclude.map(({ column, values }) => [column, [...values]]),
      only: campaign.filters.only.map(({ column, values }) => [column, [...values]]),
    },
    window,
    shard,
    suppression,
    // A new opt-out (or opt-in) changes which pending rows may be sent: the checkpoint is read anew.
    optOuts: await optOutsIdentity(campaign),
  };
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex");
}

/** A file's content hash; "absent" or "unreadable" otherwise (a list created later changes it too). */
async function fileHash(file: string): Promise<string> {
  try {
    return createHash("sha256")
      .update(await readFile(file))
      .digest("hex");
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT" ? "absent" : "unreadable";
  }
}
