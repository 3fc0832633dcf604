import { createReadStream } from "node:fs";
import { parse } from "csv-parse";

/**
 * The records of a list file read leniently — a CSV of any shape, or one value a line (a BOM,
 * ragged rows, stray quotes and blank lines are taken as they come): the suppression and
 * opt-out lists. A read error (a missing file) is thrown from the iteration.
 */
export async function* looseCsvRecords(file: string): AsyncGenerator<string[]> {
  const input = createReadStream(file);
  const parser = input.pipe(
    parse({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, skip_records_with_error: true }),
  );
  input.on("error", (err) => parser.destroy(err)); // pipe() does not forward a read error
  yield* parser as AsyncIterable<string[]>;
}
