import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import type { ShardSpec } from "../../contacts/shard.js";
import { hashRange } from "../../ledger/checkpoint.js";
import type { LedgerStore } from "../../ledger/ledger-store.js";
import type { Campaign } from "../../campaign/campaign.js";
import { campaignFingerprint } from "../plan/campaign-state.js";
import type { StatusCounts } from "../../ledger/row-status.js";
import type { ScheduleSummary } from "./schedule-summary.js";

/** What a tick counted: the statuses of its reminders, and its schedule. */
export interface TickSummary {
  counts: StatusCounts;
  schedule: ScheduleSummary;
}

/**
 * A standing campaign's last tick, kept beside its checkpoint (a cache like it): the snapshot it
 * read, the ledger's end after it, and until when nothing of it can need doing — the earliest
 * moment a reminder becomes due or reaches its deadline. A cron tick that finds the same file,
 * the same ledger and the same campaign before that moment has nothing to do (docs/reference.md §16: "a tick
 * over 100 000 appointments with nothing due takes about a second"), and says so without reading
 * the file or folding the ledger. Anything else — a re-export, a new ledger event, an edited
 * campaign file, the moment passed — and the tick runs in full.
 */
export interface TickMark {
  v: 1;
  fingerprint: string;
  ledgerEnd: number;
  snapshot: ExportSnapshot;
  /** ms; 0: the tick left work (pending, in doubt, stopped): never idle on it. */
  idleUntil: number;
  /** What the tick counted, for the idle tick's summary. */
  counts: StatusCounts;
  schedule: ScheduleSummary;
}

const NOTE = "tick";

/**
 * The campaign's inputs that decide a tick: those of a survey's checkpoint (with the lists'
 * content), and the whole campaign file but how fast it sends (`rate`, `retry`, `redis`, and the
 * flags that set them): a row with nothing due, and a tick with nothing to do, are the same at any
 * pace — a `--rate` on the cron line must not make the next tick read a million rows again.
 */
export async function tickFingerprint(campaign: Campaign, shard: ShardSpec | undefined): Promise<string> {
  const base = await campaignFingerprint(campaign, shard);
  const { rate: _rate, retry: _retry, redis: _redis, ...decides } = campaign;
  return createHash("sha256").update(base).update(JSON.stringify(decides, setsAsArrays)).digest("hex");
}

/** Maps and Sets (`replies.intents`, `stopRemindersOn`…) as their entries: `JSON.stringify` would write `{}` whatever they hold. */
function setsAsArrays(_key: string, value: unknown): unknown {
  return value instanceof Map || value instanceof Set ? [...value] : value;
}

/** The export as a tick began with it: its content's hash, and the file's stamp when it was taken. */
export interface ExportSnapshot {
  size: number;
  sha256: string;
  /** Device, inode, mtime and ctime (ns, as text), and when they were read (ms of the wall clock). */
  stamp?: FileStamp;
}

export interface FileStamp {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
  takenAt: number;
}

/** How long a file must have stood still before its stamp vouches for its content (coarse file-system clocks). */
const SETTLED_MS = 2_000;

/**
 * The file's identity: its stamp and its content's hash, taken before a tick reads it, so that a
 * re-export during the tick is seen by the next.
 */
export async function snapshotOf(file: string): Promise<ExportSnapshot> {
  const stamp = await fileStamp(file);
  return { size: Number(stamp.size), sha256: await hashRange(file, 0, Number(stamp.size)), stamp };
}

async function fileStamp(file: string): Promise<FileStamp> {
  const takenAt = Date.now();
  const s = await stat(file, { bigint: true });
  return { dev: String(s.dev), ino: String(s.ino), size: String(s.size), mtimeNs: String(s.mtimeNs), ctimeNs: String(s.ctimeNs), takenAt };
}

/**
 * Pure: whether the file is the one a snapshot hashed without hashing it again — as git trusts
 * its index. Any write to a file, and any rename over it, changes its ctime (no tool sets a ctime
 * back) or its inode; a size and an mtime alone can be kept by a copy (`cp -p`, `rsync -t`) that
 * changed the content. A file changed within `SETTLED_MS` before the snapshot could be changed
 * again in the same tick of a coarse file-system clock: then only the hash decides.
 */
export function sameByStamp(snapshot: ExportSnapshot, now: Omit<FileStamp, "takenAt">): boolean {
  const then = snapshot.stamp;
  if (!then) return false;
  const settled = BigInt(then.ctimeNs) < BigInt(then.takenAt - SETTLED_MS) * 1_000_000n;
  return (
    settled &&
    then.dev === now.dev &&
    then.ino === now.ino &&
    then.size === now.size &&
    then.mtimeNs === now.mtimeNs &&
    then.ctimeNs === now.ctimeNs
  );
}

/** The export unchanged since the snapshot: by its stamp when that vouches for it, else by its hash. */
export async function sameExport(file: string, snapshot: ExportSnapshot): Promise<boolean> {
  const stamp = await fileStamp(file).catch(() => undefined);
  if (!stamp) return false;
  if (sameByStamp(snapshot, stamp)) return true;
  return (await hashRange(file, 0, Number(stamp.size)).catch(() => undefined)) === snapshot.sha256;
}

/** The idle tick's summary when the mark says nothing can need doing now; undefined otherwise (run in full). */
export async function idleTick(
  campaign: Campaign,
  store: LedgerStore,
  options: { shard: ShardSpec | undefined; now: number },
): Promise<TickSummary | undefined> {
  const text = await store.readNote(NOTE);
  if (text === undefined) return undefined;
  let mark: TickMark;
  try {
    mark = JSON.parse(text) as TickMark;
  } catch {
    return undefined;
  }
  if (mark.v !== 1 || !(options.now < mark.idleUntil)) return undefined;
  if (mark.fingerprint !== (await tickFingerprint(campaign, options.shard)) || mark.ledgerEnd !== (await store.end())) return undefined;
  if (!(await sameExport(campaign.contactsPath, mark.snapshot))) return undefined;
  // What the last tick did is not this one's: nothing due, sent or re-read now.
  const { reread: _, unchangedRows: __, ...carried } = mark.schedule;
  return { counts: mark.counts, schedule: { ...carried, due: 0, sent: 0, waiting: 0, expired: 0, unchanged: true } };
}

/** After a tick in full: what the next may rely on. `idleUntil` 0 when it left work. */
export async function markTick(
  campaign: Campaign,
  store: LedgerStore,
  tick: { shard: ShardSpec | undefined; snapshot: TickMark["snapshot"]; idleUntil: number; summary: TickSummary },
): Promise<void> {
  const { summary } = tick;
  const mark: TickMark = {
    v: 1,
    fingerprint: await tickFingerprint(campaign, tick.shard),
    ledgerEnd: await store.end(),
    snapshot: tick.snapshot,
    idleUntil: tick.idleUntil,
    counts: summary.counts,
    schedule: summary.schedule,
  };
  await store.writeNote(NOTE, JSON.stringify(mark));
}
