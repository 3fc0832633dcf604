import type { CsvRecord, CsvResumePoint } from "../../contacts/read-csv.js";
import type { SeenKeys } from "../../contacts/seen-keys.js";
import type { RowStatus, StatusCounts } from "../../ledger/row-status.js";

/** Where the final prefix of the CSV ends, what its rows count, and their contact keys. */
export interface FinalPrefix {
  point: CsvResumePoint;
  counts: StatusCounts;
  seen: SeenKeys;
}

type Key = { to: string; from: string };

/** A row read since the last boundary: where it ends, its key, and its verdict so far. */
interface Pending {
  row: number;
  end: number | undefined;
  lines: number | undefined;
  key: Key | undefined;
  verdict: "waiting" | "final" | "open";
  /** Counted when committed (undefined: another shard's row, final but not counted). */
  status: RowStatus | undefined;
}

/** The verdict of a row sent in the run, once its create landed: a final status, or "open". */
export type Settle = (verdict: RowStatus | "open") => void;

const MAX_KEYS_AFTER = 50_000;

/**
 * Follows a run's pass over the CSV and marks how far every row is final — final in the ledger
 * already, recorded final by this pass (a skipped or expired row), or sent by it and landed
 * final (created, skipped on conflict, failed for good) — so that the checkpoint written after
 * the run starts there instead of reading the CSV again (a run of new rows used to
 * read them all a second time after it). A sent row's verdict comes later (`defer`); the rows
 * after it wait for it, at most `MAX_KEYS_AFTER` of them. Rows are committed at record
 * boundaries whose line break is in the file (an unparsable record has none). At the first row
 * that is not final the prefix stops: its keys are the reading's own set less the keys added
 * since the last boundary — taken out at the end of the pass, or, when more than
 * `MAX_KEYS_AFTER` follow, from a copy made then (16 MB at a million contacts: a cron rerun with
 * a few new rows never makes it).
 */
export class FinalPrefixTracker {
  #point: CsvResumePoint;
  readonly #counts: StatusCounts;
  readonly #live: SeenKeys;
  readonly #committable: (end: number) => boolean;
  /** Rows read since the last boundary, oldest first; the last one may still await its verdict. */
  #uncommitted: Pending[] = [];
  /** How many of `#uncommitted`, from the first, are known final. */
  #finalSoFar = 0;
  #frozen: FinalPrefix | undefined;
  /** Once stopped: the keys added after the prefix, to take out of the reading's set at the end. */
  #keysAfter: Key[] | undefined;

  readonly #maxKeysAfter: number;
  readonly #maxWaiting: number;

  constructor(init: {
    start: CsvResumePoint;
    counts: StatusCounts;
    seen: SeenKeys;
    committable: (end: number) => boolean;
    /** Keys held after the prefix stopped before a copy of the set is made instead. */
    maxKeysAfter?: number;
    /** Rows held since the last boundary (behind one whose create has not landed) before the prefix stops. */
    maxWaiting?: number;
  }) {
    this.#maxKeysAfter = init.maxKeysAfter ?? MAX_KEYS_AFTER;
    this.#maxWaiting = init.maxWaiting ?? MAX_KEYS_AFTER;
    this.#point = init.start;
    this.#counts = { ...init.counts };
    this.#live = init.seen;
    this.#committable = init.committable;
  }

  /** A record was read; `key`: the key the classifier added for it (none for invalid or duplicate rows). */
  read(record: CsvRecord, key: Key | undefined): void {
    if (this.#frozen) return;
    if (!this.#keysAfter) {
      this.#uncommitted.push({ row: record.row, end: record.end, lines: record.lines, key, verdict: "waiting", status: undefined });
      // Too many rows behind one still in flight: the prefix stops there.
      if (this.#uncommitted.length > this.#maxWaiting) this.#stop();
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
    this.#settleLast("final", status);
  }

  /** The record read last is not final: the prefix ends before the rows since the last boundary. */
  open(): void {
    this.#settleLast("open", undefined);
  }

  /** The record read last was sent: its verdict comes when its create lands (call the result once). */
  defer(): Settle {
    const last = this.#uncommitted.at(-1);
    if (this.#frozen || this.#keysAfter || !last) return () => undefined;
    return (verdict) => this.#settle(last, verdict === "open" ? "open" : "final", verdict === "open" ? undefined : verdict);
  }

  /** After the pass (the reading's own key set is no longer in use: it becomes the prefix's). */
  result(): FinalPrefix {
    if (this.#frozen) return this.#frozen;
    this.#stop();
    for (const after of this.#keysAfter ?? []) this.#live.delete(after.to, after.from);
    this.#keysAfter = undefined;
    return this.#prefix(this.#live);
  }

  #settleLast(verdict: "final" | "open", status: RowStatus | undefined): void {
    const last = this.#uncommitted.at(-1);
    if (this.#frozen || this.#keysAfter || !last) return;
    this.#settle(last, verdict, status);
  }

  #settle(row: Pending, verdict: "final" | "open", status: RowStatus | undefined): void {
    if (this.#frozen || this.#keysAfter || row.verdict !== "waiting") return;
    row.verdict = verdict;
    row.status = status;
    this.#advance();
  }

  /** Commit the final rows from the first, up to the last boundary among them; stop at an open one. */
  #advance(): void {
    const rows = this.#uncommitted;
    let boundary = -1;
    let i = this.#finalSoFar;
    for (; i < rows.length && rows[i]!.verdict === "final"; i++) {
      const { end } = rows[i]!;
      if (end !== undefined && rows[i]!.lines !== undefined && this.#committable(end)) boundary = i;
    }
    this.#finalSoFar = i;
    if (boundary >= 0) {
      for (let k = 0; k <= boundary; k++) {
        const status = rows[k]!.status;
        if (status) this.#counts[status]++;
      }
      const last = rows[boundary]!;
      this.#point = { header: this.#point.header, bytes: last.end!, rows: last.row, lines: last.lines! };
      this.#uncommitted = rows.slice(boundary + 1);
      this.#finalSoFar -= boundary + 1;
    }
    if (this.#uncommitted[this.#finalSoFar]?.verdict === "open") this.#stop();
  }

  /** The prefix ends at the last commit: every key read since is taken out at the end. */
  #stop(): void {
    if (this.#keysAfter || this.#frozen) return;
    this.#keysAfter = [];
    for (const { key } of this.#uncommitted) if (key) this.#keysAfter.push(key);
    this.#uncommitted = [];
    this.#finalSoFar = 0;
  }

  #prefix(keys: SeenKeys): FinalPrefix {
    return { point: this.#point, counts: { ...this.#counts }, seen: keys };
  }
}
