import { looseCsvRecords } from "./loose-csv.js";
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
    for await (const record of looseCsvRecords(file)) {
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
