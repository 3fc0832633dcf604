import { createReadStream } from "node:fs";
import { parse, type CsvError } from "csv-parse";
import { CampaignInputError } from "../campaign/config-errors.js";

/** One data record of the contacts CSV. `row` is 1-based, the header excluded (SPEC §6). */
export type CsvRecord =
  | { row: number; fields: Record<string, string> }
  | { row: number; error: string };

export interface ContactsCsv {
  header: string[];
  records: AsyncGenerator<CsvRecord>;
}

/**
 * Stream the contacts CSV (UTF-8, optional BOM, RFC 4180 quoting) without holding its rows.
 * A ragged or unparsable record becomes an error record with its number and the line where the
 * parser gave up; it never stops the stream. An unreadable file, or one whose header lacks
 * `requiredColumn`, throws `CampaignInputError` before any record is returned.
 */
export async function openContactsCsv(file: string, requiredColumn: string): Promise<ContactsCsv> {
  const skipped: Array<{ line: number; reason: string }> = [];
  const input = createReadStream(file);
  const parser = input.pipe(
    parse({
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      info: true,
      on_skip: (err: CsvError | undefined) => {
        skipped.push({ line: Number(err?.lines ?? 0), reason: err?.message ?? "unparsable record" });
        return undefined;
      },
    }),
  );
  input.on("error", (err) => parser.destroy(err)); // pipe() does not forward a read error
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: { lines: number } }>;
  let first: IteratorResult<{ record: string[]; info: { lines: number } }>;
  try {
    first = await iterator.next();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CampaignInputError(`${file}: cannot read the contacts file (${code ?? (err as Error).message})`);
  }
  if (first.done) throw new CampaignInputError(`${file}: the contacts file is empty (a header row is required)`);
  const header = first.value.record.map((name) => name.trim());
  if (!header.includes(requiredColumn)) {
    parser.destroy();
    throw new CampaignInputError(
      `${file}: line 1: the header has no "${requiredColumn}" column (columns: ${header.map((h) => JSON.stringify(h)).join(", ")})`,
    );
  }
  return { header, records: records(iterator, header, skipped, file) };
}

async function* records(
  iterator: AsyncIterator<{ record: string[]; info: { lines: number } }>,
  header: string[],
  skipped: Array<{ line: number; reason: string }>,
  file: string,
): AsyncGenerator<CsvRecord> {
  let row = 0;
  const unparsable = (skip: { line: number; reason: string }): CsvRecord => ({
    row: ++row,
    error: `unparsable CSV near line ${skip.line}: ${skip.reason}`,
  });
  for (;;) {
    let next: IteratorResult<{ record: string[]; info: { lines: number } }>;
    try {
      next = await iterator.next();
    } catch (err) {
      throw new CampaignInputError(`${file}: reading stopped after record ${row}: ${(err as Error).message}`);
    }
    if (next.done) break;
    const { record, info } = next.value;
    // Skips are reported as they are parsed, possibly ahead of the records we consume: keep
    // file order by their line numbers.
    while (skipped.length > 0 && (skipped[0]?.line ?? Infinity) < info.lines) yield unparsable(skipped.shift()!);
    if (record.length !== header.length) {
      yield { row: ++row, error: `has ${record.length} fields, the header has ${header.length} (line ${info.lines})` };
      continue;
    }
    const fields: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) fields[header[i]!] = record[i] ?? "";
    yield { row: ++row, fields };
  }
  while (skipped.length > 0) yield unparsable(skipped.shift()!);
}
