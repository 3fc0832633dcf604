import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { CampaignInputError, errnoCode } from "../errors.js";
import { normalizeAddress } from "./phone.js";

/**
 * The suppression list: a CSV or one number per line. Every field that normalizes to a number
 * is suppressed (a header or a name column simply does not normalize).
 */
export async function loadSuppression(file: string | undefined, defaultRegion: string | undefined): Promise<Set<string>> {
  const numbers = new Set<string>();
  if (file === undefined) return numbers;
  try {
    const input = createReadStream(file);
    const parser = input.pipe(
      parse({ bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, skip_records_with_error: true }),
    );
    input.on("error", (err) => parser.destroy(err)); // pipe() does not forward a read error
    for await (const record of parser as AsyncIterable<string[]>) {
      for (const field of record) {
        const normalized = normalizeAddress(field, defaultRegion);
        if (normalized.ok) numbers.add(normalized.address);
      }
    }
  } catch (err) {
    throw new CampaignInputError(`${file}: cannot read the suppression file (${errnoCode(err) ?? (err as Error).message})`, { cause: err });
  }
  return numbers;
}
