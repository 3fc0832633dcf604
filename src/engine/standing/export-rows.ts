import { stat } from "node:fs/promises";
import type { Campaign } from "../../campaign/campaign.js";
import { tightenHeapGrowth } from "../../heap-growth.js";
import { classifyRanges, openContactRows, type PipelineOptions, type PipelineRow } from "../../contacts/pipeline.js";
import { scanRecords, type RawRecords } from "../../contacts/raw-records.js";
import { csvFormatOf, type CsvResumePoint } from "../../contacts/read-csv.js";
import type { RowCache, UsableCache } from "./row-cache.js";
import type { AppointmentBook } from "../../ledger/appointment-book.js";

/**
 * Rows of the export in file order, a batch at a time: row `first + i` (1-based) is the cache's
 * entry `entries[i]` when that is 0 or more — its bytes unchanged, as the last tick left it — else
 * the next of `parsed`, parsed and classified. `hash(i)`: its bytes' hash (undefined: not hashed).
 */
export interface ExportBatch {
  first: number;
  size: number;
  entries: Int32Array | undefined;
  cache: RowCache | undefined;
  parsed: PipelineRow[];
  hash(i: number): number | undefined;
}

export interface ExportReading {
  parameterKeys: string[];
  batches: AsyncGenerator<ExportBatch>;
  /** Once the batches are read: what the next tick's cache is keyed by, when every row was hashed as parsed. */
  keyed(): { header: number; sha256: string } | undefined;
  /** Rows taken from the cache, not parsed. */
  readonly cachedRows: number;
}

/**
 * An export this large (~20 000 rows) read whole has its numbers normalized on a worker thread
 * (numbers-ahead.ts): below it, starting the worker costs about what it saves.
 */
const NUMBERS_AHEAD_BYTES = 1 << 20;

/** Rows read a batch at a time. */
const BATCH = 4096;
/** Changed rows this close together are parsed as one range (the rows between them too). */
const MERGE_GAP = 32;
/** More ranges than this and the whole export is parsed: opening a range costs more than parsing a short stretch. */
const MAX_RANGES = 256;

/**
 * A standing tick's reading of its export (docs/reference.md §16): with the last tick's cache,
 * only the records whose bytes changed — or whose cached plan no longer holds at `now` — are
 * parsed and classified, all of them before the first row is handed out; any doubt (the file
 * split otherwise than the parser splits it, a key both in a changed row and in a cached one, too
 * many ranges) and it is read whole, as without a cache.
 */
export async function readExport(
  campaign: Campaign,
  options: Omit<PipelineOptions, "knownAddresses"> & {
    cache: UsableCache | undefined;
    now: number;
    knownAddresses: () => ReadonlySet<string>;
    book: AppointmentBook;
  },
): Promise<ExportReading> {
  const { knownAddresses, book, ...pipeline } = options;
  // A file that cannot be read is the pipeline's to report (its own error, exit 2): no scan then.
  const size = await stat(campaign.contactsPath).then(
    (stats) => stats.size,
    () => 0,
  );
  const large = size >= NUMBERS_AHEAD_BYTES;
  // The records split as bytes first: a reading of the whole file takes their positions from it.
  const scan = size > 0 ? await scanOf(campaign, options.cache?.cache.size ?? book.size).catch(() => undefined) : undefined;
  // Addresses an earlier tick normalized: worth collecting only for a reading of every row. A
  // large export read whole has its numbers normalized on a second thread.
  const contacts = await openContactRows(campaign, {
    ...pipeline,
    knownAddresses: options.cache ? undefined : knownAddresses(),
    numbersAhead: large ? (options.numbersAhead ?? {}) : undefined,
    positions: scan,
  });
  // What the next tick's cache is keyed by, taken now: no closure keeps the scan (~25 MB at a
  // million records) past the reading.
  const key = scan && keyOf(scan);
  const count = scan?.count;
  const cached = scan && options.cache && (await fromCache(campaign, scan, { ...pipeline, cache: options.cache, book }, contacts));
  if (cached) {
    contacts.close();
    return { parameterKeys: contacts.parameterKeys, batches: cached.batches, cachedRows: cached.hits, keyed: () => key };
  }
  let rows = 0;
  let hashes = scan?.hash;
  const batches = (async function* (): AsyncGenerator<ExportBatch> {
    const loosen = large ? tightenHeapGrowth() : undefined;
    try {
      for await (const parsed of contacts.batches()) {
        rows += parsed.length;
        const hash = (i: number) => hashes?.[parsed[i]!.record.row - 1];
        yield { first: parsed[0]?.record.row ?? 0, size: parsed.length, entries: undefined, cache: undefined, parsed, hash };
      }
    } finally {
      loosen?.();
    }
    hashes = undefined;
  })();
  // The scan and the parser must agree on every record for a hash to name the right row.
  return { parameterKeys: contacts.parameterKeys, batches, cachedRows: 0, keyed: () => (rows === count ? key : undefined) };
}

function keyOf(scan: RawRecords): { header: number; sha256: string } {
  return { header: scan.header.hash, sha256: scan.sha256 };
}

/** The records as bytes, for an encoding whose quotes and line breaks are single ASCII bytes; else undefined (no cache). */
async function scanOf(campaign: Campaign, expected: number): Promise<RawRecords | undefined> {
  const { delimiter, encoding } = await csvFormatOf(campaign.contactsPath, campaign.csv);
  if (encoding === "utf-16le" || encoding === "utf-16be") return undefined;
  return scanRecords(campaign.contactsPath, delimiter, expected);
}

/** The cached rows and the changed ones parsed, in file order; undefined when the cache cannot be relied on for this export. */
async function fromCache(
  campaign: Campaign,
  scan: RawRecords,
  options: PipelineOptions & { cache: UsableCache; now: number; book: AppointmentBook },
  contacts: { header: string[]; delimiter: string },
): Promise<{ batches: AsyncGenerator<ExportBatch>; hits: number } | undefined> {
  const { cache, stale } = options.cache;
  if (cache.head.header !== scan.header.hash) return undefined;
  // Each record's cache entry (-1: parsed), kept as numbers: a row object each only as it is handed out.
  const hits = new Int32Array(scan.count).fill(-1);
  const taken = new Uint8Array(cache.size);
  const judged = { now: options.now, book: options.book, stale };
  for (let i = 0; i < scan.count; i++) {
    const entry = cache.entryOf(scan.hash[i]!);
    if (entry < 0 || !holds(cache, entry, judged)) continue;
    if (taken[entry]) return undefined; // two rows of this export are one cached row
    taken[entry] = 1;
    hits[i] = entry;
  }
  const ranges = changedRanges(scan, hits, contacts.header);
  if (ranges === undefined) return undefined;
  const parsed = await classifyRanges(campaign, ranges.points, { ...options, delimiter: contacts.delimiter });
  if (!inStep(parsed, hits, ranges.records)) return undefined;
  // A changed row with the key of a cached one: which of them is the duplicate is the file order's to say.
  const changedKeys = new Set<string>();
  for (const { verdict } of parsed) {
    const key = verdict.status === "sendable" ? verdict.contact.appointment?.key : verdict.shardKey;
    if (key !== undefined) changedKeys.add(key);
  }
  const changed = new Set<number>();
  for (const key of changedKeys) {
    const number = options.book.numberOf(key);
    if (number !== undefined) changed.add(number);
  }
  let count = 0;
  for (const entry of hits) {
    if (entry < 0) continue;
    const kind = cache.kindOf(entry);
    if (kind === "later" ? changed.has(cache.appointmentOf(entry)) : kind === "excluded" && changedKeys.has(cache.excludedOf(entry).key))
      return undefined;
    count++;
  }
  return { batches: inFileOrder(scan, { cache, hits }, parsed), hits: count };
}

/** The parser read each changed record as the scan split it: as many, each with the row number the scan gave it. */
function inStep(parsed: PipelineRow[], hits: Int32Array, records: number): boolean {
  if (parsed.length !== records) return false;
  let next = 0;
  for (let i = 0; i < hits.length; i++) if (hits[i]! < 0 && parsed[next++]!.record.row !== i + 1) return false;
  return true;
}

/** A cached row still tells what the tick would plan: its appointment has no event since, and nothing of it is due. */
function holds(cache: RowCache, entry: number, options: { now: number; book: AppointmentBook; stale: ReadonlySet<string> }): boolean {
  const { book, stale } = options;
  const kind = cache.kindOf(entry);
  if (kind === "other-shard") return true;
  if (kind === "excluded") return !stale.has(cache.excludedOf(entry).key);
  const appointment = cache.appointmentOf(entry);
  if (!(appointment < book.size) || (stale.size > 0 && stale.has(book.keyOf(appointment)))) return false;
  return options.now < cache.wakeOf(entry);
}

/** The records not taken from the cache, as ranges to parse (close ones merged, the rows between them parsed too). */
function changedRanges(scan: RawRecords, hits: Int32Array, header: string[]): { points: CsvResumePoint[]; records: number } | undefined {
  const points: CsvResumePoint[] = [];
  let records = 0;
  for (let i = 0; i < scan.count;) {
    if (hits[i]! >= 0) {
      i++;
      continue;
    }
    let end = i + 1;
    for (let next = end; next < scan.count && next - end <= MERGE_GAP; next++) if (hits[next]! < 0) end = next + 1;
    hits.fill(-1, i, end);
    points.push({
      header,
      bytes: scan.start[i]!,
      rows: i,
      lines: scan.lines[i]!,
      ...(end < scan.count ? { until: scan.start[end]! } : {}),
    });
    if (points.length > MAX_RANGES) return undefined;
    records += end - i;
    i = end;
  }
  return { points, records };
}

async function* inFileOrder(
  scan: RawRecords,
  { cache, hits }: { cache: RowCache; hits: Int32Array },
  parsed: PipelineRow[],
): AsyncGenerator<ExportBatch> {
  let next = 0;
  for (let first = 0; first < scan.count; first += BATCH) {
    const entries = hits.subarray(first, Math.min(first + BATCH, scan.count));
    let changed = 0;
    for (const entry of entries) if (entry < 0) changed++;
    const hash = (i: number) => scan.hash[first + i];
    yield { first: first + 1, size: entries.length, entries, cache, parsed: parsed.slice(next, (next += changed)), hash };
  }
}
