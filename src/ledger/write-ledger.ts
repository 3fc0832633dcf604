import { open, type FileHandle } from "node:fs/promises";
import { LedgerIoError, ledgerFileError } from "./errors.js";
import type { LedgerEvent } from "./events.js";
import type { LedgerWriter } from "./ledger-store.js";

/**
 * Appends events with group commit: every event handed in while a flush is under way goes into
 * the next single write + fsync. `append` resolves once its line is on disk, so a caller that
 * awaits it knows the event is durable (SPEC §5: an attempt is durable before its request leaves).
 */
export class FileLedgerWriter implements LedgerWriter {
  readonly #file: FileHandle;
  readonly #path: string;
  #queue: Array<{ line: string; resolve: () => void; reject: (err: unknown) => void }> = [];
  #flushing: Promise<void> | undefined;
  #failed: unknown;

  private constructor(file: FileHandle, path: string) {
    this.#file = file;
    this.#path = path;
  }

  /**
   * Open for appending, created with mode 0600 (personal data). `validBytes` from the reader
   * cuts a torn tail first, so the next line does not land glued to half a line.
   */
  static async open(path: string, validBytes: number | undefined): Promise<FileLedgerWriter> {
    let file: FileHandle;
    try {
      file = await open(path, "a+", 0o600);
    } catch (err) {
      throw ledgerFileError(path, "open the ledger for writing", err);
    }
    if (validBytes !== undefined) {
      const { size } = await file.stat();
      if (size > validBytes) {
        await file.truncate(validBytes);
        await file.sync();
      }
    }
    return new FileLedgerWriter(file, path);
  }

  /** Whether a write or sync failed: what is in memory may then be ahead of the file. */
  get failed(): boolean {
    return this.#failed !== undefined;
  }

  append(event: LedgerEvent): Promise<void> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => {
      this.#queue.push({ line: `${JSON.stringify(event)}\n`, resolve, reject });
      this.#flushing ??= this.#flushLoop();
    });
  }

  /** Resolves when everything appended so far is on disk. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#failed !== undefined) throw this.#failed;
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.#file.close();
    }
  }

  async #flushLoop(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        try {
          await this.#file.appendFile(batch.map((entry) => entry.line).join(""));
          await this.#file.datasync();
          for (const entry of batch) entry.resolve();
        } catch (err) {
          this.#failed = new LedgerIoError(this.#path, "be written", err);
          for (const entry of [...batch, ...this.#queue]) entry.reject(this.#failed);
          this.#queue = [];
        }
      }
    } finally {
      this.#flushing = undefined;
    }
  }
}
