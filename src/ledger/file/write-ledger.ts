import { open, type FileHandle } from "node:fs/promises";
import { LedgerIoError, ledgerFileError } from "../errors.js";
import type { LedgerEvent } from "../events.js";
import type { LedgerWriter } from "../ledger-store.js";
import { GroupCommit } from "../../group-commit.js";

/**
 * Appends events with group commit: every event handed in while a flush is under way goes into
 * the next single write + fsync. `append` resolves once its line is on disk, so a caller that
 * awaits it knows the event is durable (docs/reference.md §5: an attempt is durable before its request leaves).
 */
export class FileLedgerWriter implements LedgerWriter {
  readonly #file: FileHandle;
  readonly #commits: GroupCommit<string>;

  private constructor(file: FileHandle, path: string) {
    this.#file = file;
    this.#commits = new GroupCommit<string>({
      commit: async (lines) => {
        await file.appendFile(lines.join(""));
        await file.datasync();
      },
      failure: (err) => new LedgerIoError(path, "be written", err),
      poisonOnFailure: true,
    });
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
    return this.#commits.failed;
  }

  append(event: LedgerEvent): Promise<void> {
    return this.#commits.add(`${JSON.stringify(event)}\n`);
  }

  appendAll(events: readonly LedgerEvent[]): Promise<void> {
    return this.#commits.addAll(events.map((event) => `${JSON.stringify(event)}\n`));
  }

  /** Resolves when everything appended so far is on disk. */
  flush(): Promise<void> {
    return this.#commits.flush();
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.#file.close();
    }
  }
}
