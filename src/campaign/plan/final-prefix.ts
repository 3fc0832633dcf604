import type { CsvRecord, CsvResumePoint } from "../../contacts/read-csv.js";
import type { SeenKeys } from "../../contacts/seen-keys.js";
import type { RowStatus, StatusCounts } from "../run/run-events.js";

/** Where the final prefix of the CSV ends, what its rows count, and their contact keys. */
export interface FinalPrefix {
  point: CsvResumePoint;
  counts: StatusCounts;
  seen: SeenKeys;
}

type Key = { to: string; from: string };

const MAX_KEYS_AFTER = 50_000;

/**
 * Follows a run's pass over the CSV and marks how far every row is final — final in the ledger
 * already, or recorded final by this pass (a skipped or expired row) — so that the checkpoint
 * written after the run starts there instead of reading the CSV again from the last one.
 * Rows are committed at record boundaries whose line break is in the file (an unparsable
 * record has none). At the first row that is not final the prefix stops: its keys are the
 * reading's own set less the keys added since the last boundary — taken out at the end of the
 * pass, or, when more than `MAX_KEYS_AFTER` follow, from a copy made then (16 MB at a million
 * contacts: a cron rerun with a few new rows never makes it).
 */
export class FinalPrefixTracker {
  #point: CsvResumePoint;
  readonly #counts: StatusCounts;
  readonly #live: SeenKeys;
  readonly #committable: (end: number) => boolean;
  /** Rows read since the last boundary, oldest first; the last one may still await its verdict. */
  #uncommitted: Array<{ record: CsvRecord; key: Key | undefined; status: RowStatus | undefined }> = [];
  #frozen: FinalPrefix | undefined;
  /** Once open: the keys added after the prefix, to take out of the reading's set at the end. */
  #keysAfter: Key[] | undefined;

  readonly #maxKeysAfter: number;

  constructor(init: {
    start: CsvResumePoint;
    counts: StatusCounts;
    seen: SeenKeys;
    committable: (end: number) => boolean;
    maxKeysAfter?: number;
  }) {
    this.#maxKeysAfter = init.maxKeysAfter ?? MAX_KEYS_AFTER;
    this.#point = init.start;
    this.#counts = { ...init.counts };
    this.#live = init.seen;
    this.#committable = init.committable;
  }

  /** A record was read; `key`: the key the classifier added for it (none for invalid or duplicate rows). */
  read(record: CsvRecord, key: Key | undefined): void {
    if (this.#frozen) return;
    if (!this.#keysAfter) {
      this.#uncommitted.push({ record, key, status: undefined });
      return;
    }
    if (key) this.#keysAfter.push(key);
    if (this.#keysAfter.length > this.#maxKeysAfter) {
      const keys = this.#live.clone();
      for (const after of this.#keysAfter) keys.delete(after.to, after.from);
      this.#keysAfter = undefined;
      this.#frozen = this.#prefix(keys);
    }
  }

  /** The record read last is final for this ledger (`status` is counted; undefined: another shard's row). */
  final(status: RowStatus | undefined): void {
    const last = this.#uncommitted.at(-1);
    if (this.#frozen || this.#keysAfter || !last) return;
    last.status = status;
    const { end, lines, row } = last.record;
    if (end === undefined || lines === undefined || !this.#committable(end)) return;
    for (const committed of this.#uncommitted) if (committed.status) this.#counts[committed.status]++;
    this.#uncommitted = [];
    this.#point = { header: this.#point.header, bytes: end, rows: row, lines };
  }

  /** The record read last is not final: the prefix ends before the rows since the last boundary. */
  open(): void {
    if (this.#frozen || this.#keysAfter) return;
    this.#keysAfter = [];
  }

  /** After the pass (the reading's own key set is no longer in use: it becomes the prefix's). */
  result(): FinalPrefix {
    if (this.#frozen) return this.#frozen;
    for (const after of this.#keysAfter ?? []) this.#live.delete(after.to, after.from);
    this.#keysAfter = undefined;
    return this.#prefix(this.#live);
  }

  #prefix(keys: SeenKeys): FinalPrefix {
    for (const { key } of this.#uncommitted) if (key) keys.delete(key.to, key.from);
    this.#uncommitted = [];
    return { point: this.#point, counts: { ...this.#counts }, seen: keys };
  }
}
