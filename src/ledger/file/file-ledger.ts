import type { AppointmentBook } from "../appointment-book.js";
import { stat } from "node:fs/promises";
import {
  checkpointPath,
  ledgerEdges,
  readCheckpoint,
  readNote,
  readNoteData,
  writeCheckpoint,
  writeNote,
  type Checkpoint,
} from "../checkpoint.js";
import { LedgerLock } from "./ledger-lock.js";
import type { LedgerLockHandle, LedgerScan, LedgerStore } from "../ledger-store.js";
import { readLedgerBatches, readLedgerText } from "./read-ledger.js";
import type { LedgerEvent } from "../events.js";
import { recentFileEvents } from "../recent-events.js";
import { spillFileByRow } from "../report-source.js";
import { FileLedgerWriter } from "./write-ledger.js";

/**
 * The ledger as a JSONL file next to the campaign (docs/reference.md §5): appended and fsynced with group
 * commit, a lock file beside it (`<ledger>.lock`), and the checkpoint in `<ledger>.checkpoint`.
 * A position is a byte offset.
 */
export class FileLedger implements LedgerStore {
  readonly label: string;

  constructor(readonly path: string) {
    this.label = path;
  }

  async exists(): Promise<boolean> {
    return stat(this.path).then(
      () => true,
      () => false,
    );
  }

  async lock(): Promise<LedgerLockHandle> {
    const lock = await LedgerLock.acquire(this.path);
    return { openWriter: (validEnd) => FileLedgerWriter.open(this.path, validEnd), release: () => lock.release() };
  }

  batches(scan?: LedgerScan, from?: number) {
    return readLedgerBatches(this.path, scan, from);
  }

  text(scan?: LedgerScan, from?: number) {
    return readLedgerText(this.path, scan, from);
  }

  async end(): Promise<number> {
    return (await stat(this.path)).size;
  }

  identity(position: number) {
    return ledgerEdges(this.path, position);
  }

  readCheckpoint(options?: { table?: boolean }) {
    return readCheckpoint(this.path, options);
  }

  writeCheckpoint(checkpoint: Checkpoint, table: Float64Array, appointments?: AppointmentBook) {
    return writeCheckpoint(this.path, checkpoint, table, appointments);
  }

  readNote(name: string) {
    return readNote(this.path, name);
  }

  writeNote(name: string, text: string, data?: readonly Uint8Array[]) {
    return writeNote(this.path, name, text, data);
  }

  readNoteData(name: string) {
    return readNoteData(this.path, name);
  }

  openReport(rowsPerRange: number) {
    return spillFileByRow(this.path, rowsPerRange);
  }

  recentEvents(since: number, types: ReadonlySet<LedgerEvent["t"]>) {
    return recentFileEvents(this.path, since, types);
  }

  /** The checkpoint's file (tests). */
  get checkpointPath(): string {
    return checkpointPath(this.path);
  }
}
