import { open } from "node:fs/promises";
import type { ContactRules } from "./rules.js";
import { parseDateTime, type DateReader } from "./deadline.js";
import { looksLike } from "./date-symbols.js";
import { unitOf, type RowVerdict } from "./contact.js";
import { checkHeader, parameterKeysOf } from "./header.js";
import { openContactsCsv, type CsvRecord, type CsvResumePoint } from "./read-csv.js";
import type { SeenKeys } from "./seen-keys.js";
import { isOtherShardsRow, type ShardSpec } from "./shard.js";
import { unitKey, type UnitRef } from "./unit.js";
import type { ClassifierOptions } from "./classify.js";
import type { Normalized } from "./phone.js";
import type { RawRecords } from "./raw-records.js";

/** One row of the contacts file, through the pipeline. */
export interface PipelineRow {
  /** The record as read: its number (`record.row`), and where it ends in the file (`end`, `lines`) for a checkpoint. */
  record: CsvRecord;
  verdict: RowVerdict;
  /** A sendable row's unit of work (`unitKey`); undefined for a row never sent. */
  key: string | undefined;
  /** The key the duplicate table kept for this row, if it kept one (a checkpoint's prefix takes it out again). */
  kept: UnitRef | undefined;
  /** Another shard's row: never this ledger's to send or report. */
  otherShard: boolean;
}

export interface PipelineOptions {
  /** Numbers on the suppression list (docs/reference.md §3). */
  suppressed?: ReadonlySet<string>;
  /** Start here instead of the top (a checkpoint's final prefix), with that prefix's keys. */
  resume?: CsvResumePoint | undefined;
  seen?: SeenKeys | undefined;
  shard?: ShardSpec | undefined;
  /** Addresses an earlier run normalized: taken as they are (see `ClassifierOptions`). */
  knownAddresses?: ReadonlySet<string> | undefined;
  /** Read the header only (in 1 KiB chunks): the rows are not wanted. */
  headerOnly?: boolean;
  /**
   * `batches` normalizes each batch's numbers on a worker thread while the batch before it is
   * classified (numbers-ahead.ts): for a reading of a whole large export. `worker`: its file, when
   * not the one beside this module.
   */
  numbersAhead?: { worker?: URL } | undefined;
  /** The file's records as scanned (raw-records.ts), for a reading of the whole file: positions taken from it, not kept by the parser. */
  positions?: RawRecords | undefined;
}

export interface ContactRows {
  header: string[];
  /** The delimiter the file is read with (the campaign's, or its header line's). */
  delimiter: string;
  /** Every Parameters key a contact is sent: the static ones and the parameter columns. */
  parameterKeys: string[];
  /** Where the data records begin (past the header, or the resume point). */
  start: CsvResumePoint;
  /** The records as read, not classified (a count by sender needs no number parsed). */
  records: AsyncGenerator<CsvRecord>;
  /** The rows classified, in file order: each one's verdict, unit and shard (consumes `records`). */
  rows(): AsyncGenerator<PipelineRow>;
  /** The same, a chunk of the file at a time (one await a chunk: a reader of a whole snapshot). Take `rows` or `batches`, not both. */
  batches(): AsyncGenerator<PipelineRow[]>;
  close(): void;
}

/**
 * The one contacts pipeline: CSV stream → normalized, classified rows — invalid (with
 * its reason and record number), duplicate (a unit seen earlier in the file), suppressed, or
 * sendable with its unit of work — and whether each is this shard's. `run`, its checkpoint,
 * `validate`, `--dry-run`, a follow-up's list and the survey before a run all read contacts
 * here. An unreadable file or a header without the needed columns throws `CampaignInputError`
 * (exit 2) before any row. Holds the keys it has seen (for duplicates), never the rows.
 */
export async function openContactRows(rules: ContactRules, options: PipelineOptions = {}): Promise<ContactRows> {
  const csv = await openContactsCsv(rules.contactsPath, rules.columns.to, options.resume, {
    headerOnly: options.headerOnly ?? false,
    format: rules.csv,
    positions: options.positions,
  });
  const { parameterColumns } = checkHeader(rules, csv.header, csv.delimiter);
  const classifier = (numbers?: ClassifierOptions["numbers"]) => classifierOf(rules, csv.header, { ...options, numbers });
  const batches = async function* (): AsyncGenerator<PipelineRow[]> {
    if (options.numbersAhead !== undefined) return yield* classifiedAhead(rules, csv.batches, { ...options.numbersAhead, classifier });
    const classify = await classifier();
    for await (const records of csv.batches) yield records.map(classify);
  };
  // Each row classified only when asked for: a reader that stops early (a checkpoint's prefix
  // ends at the first row not final) has added no later row's key to the keys it shares.
  const rows = async function* (): AsyncGenerator<PipelineRow> {
    const classify = await classifier();
    for await (const records of csv.batches) for (const record of records) yield classify(record);
  };
  return {
    header: csv.header,
    delimiter: csv.delimiter,
    parameterKeys: parameterKeysOf(rules, parameterColumns),
    start: csv.start,
    records: csv.records,
    rows,
    batches,
    close: () => csv.close(),
  };
}

/** The batches classified, each batch's numbers normalized on a worker thread ahead of it (numbers-ahead.ts). */
async function* classifiedAhead(
  rules: ContactRules,
  records: AsyncGenerator<CsvRecord[]>,
  options: { worker?: URL; classifier: (numbers: ClassifierOptions["numbers"]) => Promise<(record: CsvRecord) => PipelineRow> },
): AsyncGenerator<PipelineRow[]> {
  const [{ NumbersAhead }, { numberCells }] = await Promise.all([import("./numbers-ahead.js"), import("./classify.js")]);
  const ahead = new NumbersAhead({ region: rules.defaultRegion, ...(options.worker ? { worker: options.worker } : {}) });
  const cells = (batch: CsvRecord[]) => batch.flatMap((record) => numberCells(rules.columns, record));
  let answer: ReadonlyMap<string, Normalized> = new Map();
  const classify = await options.classifier({ get: (cell) => answer.get(cell) });
  try {
    // The worker normalizes a batch's numbers while the one before it is classified, and the one after it parsed.
    let next = await records.next();
    let asked = next.done ? undefined : ahead.ask(cells(next.value));
    while (!next.done) {
      const batch = next.value;
      const answered = asked!;
      next = await records.next();
      asked = next.done ? undefined : ahead.ask(cells(next.value));
      answer = await answered;
      yield batch.map(classify);
    }
  } finally {
    ahead.close();
  }
}

/**
 * The records of some ranges of the file (resume points with their `until`), in file order,
 * classified by one classifier as one reading of them: a standing tick's rows that changed since
 * the last (docs/reference.md §16). Every row is returned: the caller holds a few.
 */
export async function classifyRanges(
  rules: ContactRules,
  ranges: readonly CsvResumePoint[],
  options: PipelineOptions & { delimiter: string },
): Promise<PipelineRow[]> {
  const first = ranges[0];
  if (first === undefined) return [];
  const classify = await classifierOf(rules, first.header, options);
  const rows: PipelineRow[] = [];
  const format = { delimiter: options.delimiter, encoding: rules.csv?.encoding ?? "utf-8" };
  // One open file for every range: each range's bytes read at once, and parsed from memory.
  const file = await open(rules.contactsPath, "r");
  try {
    for (const range of ranges) {
      const end = range.until ?? (await file.stat()).size;
      const bytes = Buffer.alloc(end - range.bytes);
      await file.read(bytes, 0, bytes.length, range.bytes);
      const csv = await openContactsCsv(rules.contactsPath, rules.columns.to, range, { format, bytes });
      for await (const records of csv.batches) for (const record of records) rows.push(classify(record));
    }
  } finally {
    await file.close();
  }
  return rows;
}

/** One reading's classifier: each record's verdict, unit and shard. The number parser loads with it (a cron rerun with nothing new never loads it). */
async function classifierOf(
  rules: ContactRules,
  header: string[],
  options: PipelineOptions & Pick<ClassifierOptions, "numbers">,
): Promise<(record: CsvRecord) => PipelineRow> {
  const { keptKey, RowClassifier } = await import("./classify.js");
  const readDate = await dateReaderOf(rules);
  const rowClassifier = new RowClassifier(rules, header, { ...options, readDate });
  return (record) => {
    const verdict = rowClassifier.classify(record);
    return {
      record,
      verdict,
      key: verdict.status === "sendable" ? unitKey(unitOf(verdict.contact)) : undefined,
      kept: keptKey(verdict),
      otherShard: isOtherShardsRow(verdict, options.shard),
    };
  };
}

/**
 * How the file's date-time cells are read: the campaign's `dateFormat`, or ISO 8601 — and then a
 * cell that is not says which common formats it looks like (both when day-first and month-first
 * fit: never a guess), docs/reference.md §17. date-fns loads only for a campaign with a dateFormat.
 */
async function dateReaderOf(rules: ContactRules): Promise<DateReader | undefined> {
  if (rules.dateFormat !== undefined) return (await import("./date-format.js")).dateReader(rules.dateFormat);
  if (rules.schedule === undefined && rules.columns.notAfter === undefined) return undefined;
  return (text) => {
    const parsed = parseDateTime(text);
    if (!("error" in parsed)) return parsed;
    const like = looksLike(text);
    return like.length === 0 ? parsed : { error: `${parsed.error}; it looks like ${like.join(" or ")}: set dateFormat` };
  };
}
