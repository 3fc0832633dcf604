import { open, stat } from "node:fs/promises";
import { RowClassifier } from "../contacts/classify.js";
import { contactKey } from "../contacts/contact.js";
import { openContactsCsv, type CsvResumePoint } from "../contacts/read-csv.js";
import { SeenKeys } from "../contacts/seen-keys.js";
import { loadSuppression } from "../contacts/suppression.js";
import { hashRange, ledgerEdges, readCheckpoint, writeCheckpoint } from "../ledger/checkpoint.js";
import type { LedgerState } from "../ledger/contact-state.js";
import type { Campaign } from "./campaign.js";
import { campaignFingerprint, type ResumePoint } from "./campaign-state.js";
import { emptyCounts, type RowStatus, type StatusCounts } from "./run-events.js";
import { inShard, type ShardSpec } from "./shard.js";

const FINAL: ReadonlySet<string> = new Set(["created", "conflict_skipped", "failed", "expired"]);

/**
 * After a run (its ledger flushed and closed, its lock still held): extend the final prefix of
 * the CSV as far as every row is final, and write the checkpoint the next run starts from.
 * Reads only the CSV past the previous prefix; writes nothing when the ledger did not change.
 */
export async function saveCheckpoint(campaign: Campaign, options: { state: LedgerState; resume: ResumePoint | undefined; shard: ShardSpec | undefined }): Promise<void> {
  const { state, resume } = options;
  const ledgerBytes = (await stat(campaign.ledgerPath)).size;
  if (resume && resume.checkpoint.ledger.bytes === ledgerBytes) return; // nothing new became final
  const csvSize = (await stat(campaign.contactsPath)).size;
  const endsWithNewline = csvSize > 0 && (await lastByte(campaign.contactsPath, csvSize)) === 0x0a;
  // The prefix's keys again, from the checkpoint the run started from (the run grew its own copy).
  const saved = resume ? await readCheckpoint(campaign.ledgerPath) : undefined;
  const from = saved && saved.checkpoint.ledger.bytes === resume?.checkpoint.ledger.bytes ? resume : undefined;
  // Never from the top with a state that lacks the prefix's contacts: they would look unsent.
  // (The old checkpoint still holds for this ledger, which has only grown.)
  if (resume && !from) return;
  const suppressed = await loadSuppression(campaign.suppressPath, campaign.defaultRegion);
  const csv = await openContactsCsv(campaign.contactsPath, campaign.columns.to, from?.csv);
  const classifier = new RowClassifier(campaign, csv.header, suppressed, from && saved ? SeenKeys.restore({ ...saved.checkpoint.seen, table: saved.table }) : undefined);
  // The committed prefix, and what the rows since its end would add once a boundary is reached.
  const prefixSeen = from && saved ? SeenKeys.restore({ ...saved.checkpoint.seen, table: saved.table }, { adopt: true }) : new SeenKeys(campaign.from);
  const counts: StatusCounts = from ? { ...from.prefixCounts } : emptyCounts();
  let point: CsvResumePoint = csv.start;
  // Rows read since the last boundary: counted and their keys kept once a boundary commits them.
  let pending: Array<{ status: RowStatus | undefined; key: { to: string; from: string } | undefined }> = [];
  for await (const record of csv.records) {
    const verdict = classifier.classify(record);
    // The classifier keeps the key of every row that is not invalid (for duplicates): so does the prefix.
    const key = verdict.status === "sendable" ? { to: verdict.contact.to, from: verdict.contact.from } : verdict.status === "invalid" ? undefined : { to: verdict.to, from: verdict.from };
    const ownKey = verdict.status === "sendable" ? contactKey(verdict.contact.to, verdict.contact.from) : verdict.to === "" ? undefined : contactKey(verdict.to, verdict.from);
    // Rows of another shard are not this ledger's: final here, and not counted (as in the run).
    const elsewhere = options.shard !== undefined && (ownKey === undefined ? options.shard.index !== 1 : !inShard(ownKey, options.shard));
    let status: RowStatus | undefined;
    if (!elsewhere) {
      if (verdict.status === "sendable") {
        const known = state.contacts.get(ownKey!)?.status;
        if (known === undefined || !FINAL.has(known)) break;
        status = known;
      } else {
        if (!state.skippedRows.has(verdict.row)) break;
        status = verdict.status;
      }
    }
    pending.push({ status, key });
    // A boundary: the record ends with its line break (a last line without one may still grow).
    if (record.end === undefined || record.lines === undefined || (record.end >= csvSize && !endsWithNewline)) continue;
    for (const row of pending) {
      if (row.key) prefixSeen.add(row.key.to, row.key.from);
      if (row.status) counts[row.status]++;
    }
    pending = [];
    point = { header: csv.header, bytes: record.end, rows: record.row, lines: record.lines };
  }
  if (point.bytes >= csvSize && !endsWithNewline) return; // a header line that may still grow
  // Every contact the prefix does not hold keeps its folded state in the checkpoint.
  const contacts = [...state.contacts].filter(([key]) => {
    const bar = key.indexOf("|");
    return !prefixSeen.has(key.slice(0, bar), key.slice(bar + 1));
  });
  const snapshot = prefixSeen.snapshot();
  await writeCheckpoint(
    campaign.ledgerPath,
    {
      v: 1,
      fingerprint: await campaignFingerprint(campaign, options.shard),
      ledger: { bytes: ledgerBytes, ...(await ledgerEdges(campaign.ledgerPath, ledgerBytes)) },
      csv: { ...point, prefixHash: await hashRange(campaign.contactsPath, 0, point.bytes) },
      prefixCounts: counts,
      contacts,
      skippedRows: [...state.skippedRows].filter((row) => row > point.rows),
      header: state.header,
      flow: state.flow,
      seen: { defaultFrom: snapshot.defaultFrom, size: snapshot.size, others: snapshot.others },
    },
    snapshot.table,
  );
}

async function lastByte(file: string, size: number): Promise<number> {
  const handle = await open(file, "r");
  try {
    const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
    return buffer[0]!;
  } finally {
    await handle.close();
  }
}
