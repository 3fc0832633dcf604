import pLimit from "p-limit";
import { systemClock, StopControl, type Clock } from "../clock.js";
import { campaignLedger } from "../campaign/campaign-ledger.js";
import type { Campaign } from "../campaign/campaign.js";
import { csvRecord } from "../contacts/csv-writer.js";
import { CampaignInputError } from "../errors.js";
import { assertLedgerExists } from "../engine/results/executions-session.js";
import { writeAtomically } from "../ledger/checkpoint.js";
import type { LedgerScan, LedgerWriter } from "../ledger/ledger-store.js";
import { CONFIRMATION_COLUMNS, ConfirmationBook, handedEvent, type VersionedRecord } from "../report/confirmation-records.js";
import { loadPool } from "../studio/undici-pool.js";
import { decideDelivery, postRecord, WEBHOOK_CONCURRENCY } from "./webhook-delivery.js";

/** Where `confirmations` hands the records (docs/reference.md §19). */
export type ConfirmationsTarget =
  { kind: "file"; path: string; format: "csv" | "jsonl" } | { kind: "webhook"; url: URL; secret: string; userAgent: string };

export interface ConfirmationsOptions {
  campaign: Campaign;
  target: ConfirmationsTarget;
  /** `--new` (implied by a webhook): only the records not handed over at their present version; the cursor advances. */
  onlyNew: boolean;
  clock?: Clock | undefined;
  stop?: StopControl | undefined;
  /** Tests: run between the file's fsync and its rename (a crash there hands the same records over again). */
  beforeRename?: (() => Promise<void>) | undefined;
}

export interface ConfirmationsResult {
  /** Records with a reply in the ledger. */
  records: number;
  /** Those this command was to hand over (all, or the new ones with `--new`). */
  selected: number;
  /** Written to the file, or acknowledged by the receiver (2xx). */
  handed: number;
  /** Refused by the receiver (a 4xx other than 408 and 429): recorded, not tried again. */
  rejected: Array<{ key: string; appointment_at: string; http: number }>;
  /** Not acknowledged after every attempt (or stopped): the next run sends them again. */
  left: Array<{ key: string; appointment_at: string; reason: string }>;
}

/**
 * `confirmations` (docs/reference.md §19): the campaign's replies as one record per appointment
 * (a survey's: per row), the latest reply winning, handed to the booking system — as a file
 * (written whole to a private temporary file, fsynced, renamed into place) or one signed webhook
 * request per record. With `--new`, the cursor in the ledger (a `handed` line per record)
 * advances only after the rename, or the receiver's answer: a crash before hands the same records
 * over again, and nothing acknowledged is handed over twice. The ledger is locked throughout.
 */
export async function handConfirmations(options: ConfirmationsOptions): Promise<ConfirmationsResult> {
  const { campaign } = options;
  const replies = campaign.replies;
  if (!replies) throw new CampaignInputError(`campaign ${campaign.name} has no "replies" key: there are no intents to hand over`);
  const ledger = campaignLedger(campaign);
  await assertLedgerExists(ledger);
  const lock = await ledger.lock();
  try {
    const book = new ConfirmationBook();
    const scan: LedgerScan = { validBytes: 0, tornTail: false };
    for await (const batch of ledger.batches(scan)) for (const event of batch) book.add(event);
    const records = book.records(replies.intents);
    const selected = options.onlyNew ? book.fresh(records) : records;
    const writer = await lock.openWriter(scan.validBytes);
    try {
      const result: ConfirmationsResult = { records: records.length, selected: selected.length, handed: 0, rejected: [], left: [] };
      if (options.target.kind === "file") await writeRecords(selected, options.target, { ...options, writer, result });
      else await deliverRecords(selected, options.target, { ...options, writer, result });
      await writer.flush();
      return result;
    } finally {
      await writer.close();
    }
  } finally {
    await lock.release();
  }
}

interface Handing {
  writer: LedgerWriter;
  result: ConfirmationsResult;
  onlyNew: boolean;
  clock?: Clock | undefined;
  stop?: StopControl | undefined;
  campaign: Campaign;
}

/** The file, whole or not at all (`writeAtomically`: a private draft beside it, fsynced, renamed); then the cursor. */
async function writeRecords(
  records: readonly VersionedRecord[],
  target: Extract<ConfirmationsTarget, { kind: "file" }>,
  handing: Handing & Pick<ConfirmationsOptions, "beforeRename">,
): Promise<void> {
  await writeAtomically(target.path, [Buffer.from(recordsText(records, target.format))], { beforeRename: handing.beforeRename });
  handing.result.handed = records.length;
  if (!handing.onlyNew) return;
  const at = new Date((handing.clock ?? systemClock).now()).toISOString();
  for (const record of records) void handing.writer.append(handedEvent(record, "file", { at }));
}

/** CSV (escaped as the report is, `late` as true/false) or JSON Lines. */
export function recordsText(records: readonly VersionedRecord[], format: "csv" | "jsonl"): string {
  if (format === "jsonl") return records.map(({ record }) => `${JSON.stringify(record)}\n`).join("");
  const rows = records.map(({ record }) => csvRecord(CONFIRMATION_COLUMNS.map((column) => String(record[column]))));
  return csvRecord([...CONFIRMATION_COLUMNS]) + rows.join("");
}

/**
 * One signed POST per record, at most 4 in flight, one key's records in order (a key's later
 * records wait for its earlier one, and stay for the next run if it does). Each answer decided by
 * `decideDelivery`; a delivery or a rejection is recorded in the ledger (durable) as it comes.
 */
async function deliverRecords(
  records: readonly VersionedRecord[],
  target: Extract<ConfirmationsTarget, { kind: "webhook" }>,
  handing: Handing,
): Promise<void> {
  if (records.length === 0) return;
  const Pool = loadPool();
  const pool = new Pool(target.url.origin, { connections: WEBHOOK_CONCURRENCY, pipelining: 1 });
  try {
    const byKey = new Map<string, VersionedRecord[]>();
    for (const record of records) {
      const list = byKey.get(record.record.key);
      if (list) list.push(record);
      else byKey.set(record.record.key, [record]);
    }
    const limit = pLimit(WEBHOOK_CONCURRENCY);
    await Promise.all(
      [...byKey.values()].map((list) =>
        limit(async () => {
          for (const [i, record] of list.entries()) {
            if (!(await deliverOne(pool, record, target, handing))) {
              for (const later of list.slice(i + 1)) leave(handing.result, later, "an earlier record of its key was not delivered");
              return;
            }
          }
        }),
      ),
    );
  } finally {
    await pool.close();
  }
}

/** A record's requests until one is answered for good; false when it is left for the next run. */
async function deliverOne(
  pool: InstanceType<ReturnType<typeof loadPool>>,
  versioned: VersionedRecord,
  target: Extract<ConfirmationsTarget, { kind: "webhook" }>,
  handing: Handing,
): Promise<boolean> {
  const clock = handing.clock ?? systemClock;
  const { record } = versioned;
  const idempotencyKey = `${handing.campaign.name}:${record.key}:${record.appointment_at}:${record.execution_sid}`;
  const { maxAttempts, maxRetryAfterMs } = handing.campaign.retry;
  const policy = { maxAttempts, maxRetryAfterMs };
  for (let attempt = 1; ; attempt++) {
    if (handing.stop?.stopped) return leave(handing.result, versioned, handing.stop.message ?? "stopped");
    const body = JSON.stringify({ ...record, campaign: handing.campaign.name, sent_at: new Date(clock.now()).toISOString() });
    const answer = await postRecord(pool, target.url, { body, idempotencyKey, secret: target.secret, userAgent: target.userAgent });
    const decision = decideDelivery(answer, attempt, policy);
    const at = new Date(clock.now()).toISOString();
    const http = "status" in answer ? answer.status : undefined;
    switch (decision.action) {
      case "delivered":
        await handing.writer.append(handedEvent(versioned, "webhook", { http, at }));
        handing.result.handed++;
        return true;
      case "rejected":
        await handing.writer.append(handedEvent(versioned, "webhook", { http, rejected: true, at }));
        handing.result.rejected.push({ key: record.key, appointment_at: record.appointment_at, http: http ?? 0 });
        return true;
      case "later":
        return leave(handing.result, versioned, decision.reason);
      case "retry":
        await clock.sleep(decision.delayMs, handing.stop?.signal);
    }
  }
}

function leave(result: ConfirmationsResult, versioned: VersionedRecord, reason: string): false {
  result.left.push({ key: versioned.record.key, appointment_at: versioned.record.appointment_at, reason });
  return false;
}
