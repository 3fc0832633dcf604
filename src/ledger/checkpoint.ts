import { createHash, randomUUID } from "node:crypto";
import { open, readdir, readFile, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { UnitState, LedgerState } from "./fold.js";
import { AppointmentBook, keyCount, type AppointmentVersions } from "./appointment-book.js";
import type { CampaignHeader, FlowChecked } from "./events.js";
import type { ContactReply } from "../flow/contact-reply.js";

/**
 * A checkpoint makes a cron rerun cost what is new, not what is done (`<ledger>.checkpoint`).
 * It records, at a ledger size, a prefix of the contacts CSV whose every row is final — so a
 * rerun starts reading the CSV there — with what the rest of the run needs: the status counts
 * of those rows, their contact keys (for duplicate detection), and the folded state of every
 * other contact the ledger knew.
 *
 * It is only a cache. The ledger stays the one source of truth: a checkpoint is used only when
 * the ledger still begins and ends, at the recorded size, with the recorded bytes (hashes of
 * its first and last 4 KB), when the CSV still begins with the recorded prefix (a hash of all of
 * it), and when the campaign's classification inputs are unchanged; the ledger's events after
 * that size are folded on top. Anything else — an edited CSV, a rewritten ledger, a torn or
 * missing checkpoint — falls back to reading everything, and the run writes a new one. Written
 * to a private file, fsynced, then renamed over the old one: a kill leaves the old or the new.
 */
export interface Checkpoint {
  v: 1;
  /** Hash of the campaign's inputs that decide a row's status (columns, region, suppression list…). */
  fingerprint: string;
  ledger: { bytes: number; head: string; tail: string };
  csv: { bytes: number; rows: number; lines: number; header: string[]; prefixHash: string };
  prefixCounts: Record<string, number>;
  /** The folded state at `ledger.bytes` of every contact not in the prefix. */
  contacts: Array<[string, UnitState]>;
  /** Skipped rows (invalid, duplicate, suppressed) recorded after the prefix. */
  skippedRows: number[];
  /** A standing campaign's appointments as the ledger knew them (docs/reference.md §16), as checkpoints before 0.2 wrote them. */
  appointments?: Array<[string, AppointmentVersions]>;
  /**
   * The appointments packed (`AppointmentBook.pack`), in number order: their keys, one per line (a
   * JSON array if a key holds a line break); after the JSON, `appointmentBytes` bytes — where each
   * line starts (doubles), then the lines — before the key table (which starts at a multiple of 8).
   */
  appointmentKeys?: string | string[];
  appointmentBytes?: number;
  /** The latest reply to each appointment's reminders (docs/reference.md §19), by `appointmentId`. */
  replies?: Array<[string, ContactReply]>;
  header: CampaignHeader | undefined;
  flow: FlowChecked | undefined;
  /** The prefix's contact keys (`SeenKeys`); its number table follows the JSON in the file. */
  seen: { defaultFrom: string; size: number; others: string[] };
}

const MAGIC = "studio-campaign checkpoint 1\n";
const EDGE = 4096;

export function checkpointPath(ledgerPath: string): string {
  return `${ledgerPath}.checkpoint`;
}

/** The reads of `hashRange`, one buffer for all: a stream's fresh chunk a read is garbage outside the heap (RSS). */
let hashBuffer: Buffer | undefined;
const HASH_READ = 1 << 20;

/** Hash of bytes [start, end) of a file: 1 MB reads into one reused buffer, each hashed as read. */
export async function hashRange(file: string, start: number, end: number): Promise<string> {
  const hash = createHash("sha256");
  if (end <= start) return hash.digest("hex");
  const handle = await open(file, "r");
  // Hashes run one at a time here; one started while another reads gets a buffer of its own.
  const buffer = hashBuffer ?? Buffer.allocUnsafe(HASH_READ);
  hashBuffer = undefined;
  try {
    for (let at = start; at < end;) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(HASH_READ, end - at), at);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      at += bytesRead;
    }
  } finally {
    hashBuffer = buffer;
    await handle.close();
  }
  return hash.digest("hex");
}

/** The ledger's identity at `bytes`: hashes of its first and last 4 KB up to there. */
export async function ledgerEdges(ledgerPath: string, bytes: number): Promise<{ head: string; tail: string }> {
  return {
    head: await hashRange(ledgerPath, 0, Math.min(bytes, EDGE)),
    tail: await hashRange(ledgerPath, Math.max(0, bytes - EDGE), bytes),
  };
}

/** Write atomically (0600): a private file, fsynced, renamed over the old checkpoint. */
export async function writeCheckpoint(
  ledgerPath: string,
  checkpoint: Checkpoint,
  table: Float64Array,
  appointments?: AppointmentBook,
): Promise<void> {
  const { json, binary } = checkpointParts(checkpoint, table, appointments);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  await writeAtomically(checkpointPath(ledgerPath), [Buffer.from(MAGIC), length, json, ...binary]);
}

/**
 * A checkpoint as stored: its JSON, and the bytes after it, as parts to be written one after
 * another (not copied into one buffer: they are the book's own bytes) — its packed appointments
 * (where each line starts, then the lines, padded to a multiple of 8), then its key table.
 */
export function checkpointParts(
  checkpoint: Checkpoint,
  table: Float64Array,
  appointments?: AppointmentBook,
): { json: Buffer; binary: Buffer[] } {
  const book = appointments?.pack();
  const packed = book ? [Buffer.from(book.starts.buffer, book.starts.byteOffset, book.starts.byteLength), ...book.lines] : [];
  // Where each line starts (doubles), then the lines: the last start is their length.
  const packedLength = book ? book.starts.byteLength + book.starts[book.starts.length - 1]! : 0;
  // One string, not an array of a million: read back in one piece.
  const json = Buffer.from(
    JSON.stringify(book ? { ...checkpoint, appointmentKeys: book.keys, appointmentBytes: packedLength } : checkpoint),
  );
  const padding = Buffer.alloc(padded(packedLength) - packedLength);
  return { json, binary: [...packed, padding, Buffer.from(table.buffer, table.byteOffset, table.byteLength)] };
}

const padded = (bytes: number) => Math.ceil(bytes / 8) * 8;

/** The appointments a checkpoint's bytes hold (undefined: none packed); `false` when they are not of the packed shape. */
export function appointmentsOf(checkpoint: Checkpoint, binary: Buffer): AppointmentBook | undefined | false {
  if (checkpoint.appointmentBytes === undefined) return undefined;
  if (binary.length < checkpoint.appointmentBytes) return false;
  const keys = checkpoint.appointmentKeys ?? [];
  const count = keyCount(keys);
  const startsBytes = (count + 1) * 8;
  if (checkpoint.appointmentBytes < startsBytes) return false;
  // Copied into memory of its own: the bytes may sit at any offset of a pooled buffer.
  const starts = new Float64Array(count + 1);
  new Uint8Array(starts.buffer).set(binary.subarray(0, startsBytes));
  return AppointmentBook.unpack(keys, starts, binary.subarray(startsBytes, checkpoint.appointmentBytes)) ?? false;
}

/** Where a checkpoint's key table starts among the bytes after its JSON. */
export const tableOffset = (checkpoint: Checkpoint): number => padded(checkpoint.appointmentBytes ?? 0);

/**
 * A note beside the ledger (`<ledger>.<name>`), written as the checkpoint is: private, fsynced,
 * renamed. With `data`, its bytes follow the text (`readNoteData`).
 */
export async function writeNote(ledgerPath: string, name: string, text: string, data?: readonly Uint8Array[]): Promise<void> {
  if (data === undefined) return writeAtomically(`${ledgerPath}.${name}`, [Buffer.from(text)]);
  // The text padded (JSON allows trailing spaces) so that the data starts at a multiple of 8: read
  // back, its numbers are used where they lie, not copied.
  const unpadded = Buffer.byteLength(text);
  const json = Buffer.from(text.padEnd(text.length + ((8 - ((NOTE_MAGIC.length + 8 + unpadded) % 8)) % 8)));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const parts = data.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength));
  await writeAtomically(`${ledgerPath}.${name}`, [Buffer.from(NOTE_MAGIC), length, json, ...parts]);
}

const NOTE_MAGIC = "studio-campaign note 1\n";

/** A note written with data: its text and its bytes; undefined when absent or of another shape. */
export async function readNoteData(ledgerPath: string, name: string): Promise<{ text: string; data: Uint8Array } | undefined> {
  let whole: Buffer;
  try {
    whole = await readFile(`${ledgerPath}.${name}`);
  } catch {
    return undefined;
  }
  const head = NOTE_MAGIC.length + 8;
  if (whole.length < head || whole.subarray(0, NOTE_MAGIC.length).toString() !== NOTE_MAGIC) return undefined;
  const length = Number(whole.readBigUInt64LE(NOTE_MAGIC.length));
  if (head + length > whole.length) return undefined;
  return { text: whole.subarray(head, head + length).toString(), data: whole.subarray(head + length) };
}

export async function readNote(ledgerPath: string, name: string): Promise<string | undefined> {
  try {
    return await readFile(`${ledgerPath}.${name}`, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Write `parts` to `target` atomically (0600): a private file, fsynced, renamed over the old one,
 * the rename made durable. `beforeRename` (tests): a crash between the fsync and the rename.
 */
export async function writeAtomically(
  target: string,
  parts: readonly Uint8Array[],
  options: { beforeRename?: (() => Promise<void>) | undefined } = {},
): Promise<void> {
  // Drafts left by a run killed while writing (the caller holds the ledger's lock: none is live).
  const prefix = `${path.basename(target)}.tmp-`;
  for (const name of await readdir(path.dirname(target)))
    if (name.startsWith(prefix)) await unlink(path.join(path.dirname(target), name)).catch(() => undefined);
  const draft = `${target}.tmp-${randomUUID()}`;
  const file = await open(draft, "wx", 0o600);
  try {
    await writeParts(file, parts);
    await file.sync();
  } finally {
    await file.close();
  }
  // Tests stop a run here (kill -9 between the write and the rename); never set in use.
  const pause = Number(process.env.STUDIO_CAMPAIGN_TEST_CHECKPOINT_PAUSE_MS ?? 0);
  if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
  try {
    await options.beforeRename?.();
    await rename(draft, target);
  } catch (err) {
    await unlink(draft).catch(() => undefined);
    throw err;
  }
  const dir = await open(path.dirname(target), "r");
  try {
    await dir.sync(); // the rename itself is durable
  } finally {
    await dir.close();
  }
}

/**
 * Write the parts one after another: large ones as they are, small ones gathered 1 MB at a time
 * (a book changed here and there is many small parts; a write each would be a system call each).
 */
async function writeParts(file: FileHandle, parts: readonly Uint8Array[]): Promise<void> {
  const gathered = Buffer.allocUnsafe(1 << 20);
  let used = 0;
  const flush = async () => {
    if (used > 0) await file.writeFile(gathered.subarray(0, used)); // writeFile writes it all, from the current position
    used = 0;
  };
  for (const part of parts) {
    const large = part.length >= gathered.length / 4;
    if (large || part.length > gathered.length - used) await flush();
    if (large) await file.writeFile(part);
    else {
      gathered.set(part, used);
      used += part.length;
    }
  }
  await flush();
}

/** Read a checkpoint; undefined when absent, torn, or of another format (never an error: it is a cache). */
export async function readCheckpoint(ledgerPath: string, options: { table?: boolean } = {}): Promise<ReadCheckpoint | undefined> {
  let file;
  try {
    file = await open(checkpointPath(ledgerPath), "r");
  } catch {
    return undefined;
  }
  try {
    const size = (await file.stat()).size;
    const head = Buffer.alloc(MAGIC.length + 8);
    if ((await file.read(head, 0, head.length, 0)).bytesRead !== head.length || head.subarray(0, MAGIC.length).toString() !== MAGIC)
      return undefined;
    const length = Number(head.readBigUInt64LE(MAGIC.length));
    const json = Buffer.alloc(length);
    if ((await file.read(json, 0, length, head.length)).bytesRead !== length) return undefined;
    const checkpoint = JSON.parse(json.toString()) as Checkpoint;
    const packed = Buffer.alloc(checkpoint.appointmentBytes ?? 0);
    if ((await file.read(packed, 0, packed.length, head.length + length)).bytesRead !== packed.length) return undefined;
    const appointments = appointmentsOf(checkpoint, packed);
    const tableStart = head.length + length + tableOffset(checkpoint);
    const tableBytes = size - tableStart;
    if (checkpoint.v !== 1 || appointments === false || tableBytes < 0 || tableBytes % 8 !== 0) return undefined;
    // Read the table straight into its own memory: no second 16 MB copy at a million contacts.
    if (options.table === false) return { checkpoint, table: new Float64Array(0), appointments };
    const table = new Float64Array(tableBytes / 8);
    const view = new Uint8Array(table.buffer);
    for (let done = 0; done < tableBytes;) {
      const { bytesRead } = await file.read(view, done, Math.min(tableBytes - done, 1 << 22), tableStart + done);
      if (bytesRead === 0) return undefined;
      done += bytesRead;
    }
    return { checkpoint, table, appointments };
  } catch {
    return undefined;
  } finally {
    await file.close();
  }
}

/** A checkpoint as read: its JSON, its key table, and its packed appointments (a standing campaign's). */
export interface ReadCheckpoint {
  checkpoint: Checkpoint;
  table: Float64Array;
  appointments: AppointmentBook | undefined;
}

/**
 * Does the checkpoint still describe this ledger and this CSV? The ledger may only have grown
 * since; the CSV's prefix must be byte for byte the same.
 */
export async function checkpointHolds(
  checkpoint: Checkpoint,
  ledger: { end(): Promise<number>; identity(position: number): Promise<{ head: string; tail: string }> },
  contactsPath: string,
  fingerprint: string,
): Promise<boolean> {
  if (checkpoint.fingerprint !== fingerprint) return false;
  try {
    const [ledgerSize, csvSize] = [await ledger.end(), (await stat(contactsPath)).size];
    if (ledgerSize < checkpoint.ledger.bytes || csvSize < checkpoint.csv.bytes) return false;
    const edges = await ledger.identity(checkpoint.ledger.bytes);
    if (edges.head !== checkpoint.ledger.head || edges.tail !== checkpoint.ledger.tail) return false;
    return (await hashRange(contactsPath, 0, checkpoint.csv.bytes)) === checkpoint.csv.prefixHash;
  } catch {
    return false;
  }
}

/** The state a checkpoint carries, ready to fold the ledger's newer events on top. */
export function stateFromCheckpoint({ checkpoint, appointments }: Pick<ReadCheckpoint, "checkpoint" | "appointments">): LedgerState {
  return {
    header: checkpoint.header,
    flow: checkpoint.flow,
    units: new Map(checkpoint.contacts),
    skippedRows: new Set(checkpoint.skippedRows),
    appointments: appointments ?? AppointmentBook.of(checkpoint.appointments ?? []),
    replies: new Map(checkpoint.replies),
  };
}
