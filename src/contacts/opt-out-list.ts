import { open, type FileHandle } from "node:fs/promises";
import { AS_INPUT, csvRecord, type CsvStyle } from "./csv-writer.js";
import { looseCsvRecords } from "./loose-csv.js";
import { CampaignInputError, errnoCode } from "../errors.js";
import { GroupCommit } from "../group-commit.js";
import { normalizeAddress } from "./phone.js";

/**
 * The opt-out list shared by campaigns (SPEC §12): one CSV, append-only, `number,at,campaign,
 * event,reason`. `event` is `opt_out` or `opt_in`; `reason` is the keyword the contact sent
 * (`STOP`, `START`…), `21610` (a message refused because the number had opted out), or how an
 * operator brought it in (`added`, `imported`). A number's latest line decides. A plain list of
 * numbers (one a line, or any CSV whose first field is a number) reads as opt-outs, so an older
 * suppression-style file can serve as the list and be appended to.
 *
 * Twilio blocks an opted-out number only for the sender it replied to (or the whole Messaging
 * Service) and offers no API that lists them: this list is how a STOP outlives its campaign.
 */
export const OPT_OUT_COLUMNS = ["number", "at", "campaign", "event", "reason"] as const;
export const OPT_OUT_HEADER = csvRecord(OPT_OUT_COLUMNS, AS_INPUT);

export interface OptOutEntry {
  /** E.164, without a channel prefix: an opt-out holds for the person on every channel. */
  number: string;
  at: string;
  campaign: string;
  event: "opt_out" | "opt_in";
  reason: string;
}

/** The number an address is kept under in the list: `whatsapp:+1…` is the person `+1…`. */
export function optOutNumber(address: string): string {
  return address.replace(/^[a-z]+:/i, "");
}

/** Every line of the list, in file order. A missing list reads as empty. */
export async function readOptOutEntries(file: string, defaultRegion?: string): Promise<OptOutEntry[]> {
  const entries: OptOutEntry[] = [];
  try {
    for await (const record of looseCsvRecords(file)) {
      const normalized = normalizeAddress(record[0] ?? "", defaultRegion);
      if (!normalized.ok) continue; // the header, a comment, a name
      const event = (record[3] ?? "").trim() === "opt_in" ? "opt_in" : "opt_out";
      entries.push({
        number: optOutNumber(normalized.address),
        at: record[1] ?? "",
        campaign: record[2] ?? "",
        event,
        reason: record[4] ?? "",
      });
    }
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return [];
    throw new CampaignInputError(`${file}: cannot read the opt-out list (${errnoCode(err) ?? (err as Error).message})`, { cause: err });
  }
  return entries;
}

/** The numbers whose latest entry is an opt-out. */
export async function loadOptedOut(file: string | undefined, defaultRegion?: string): Promise<Set<string>> {
  const opted = new Set<string>();
  if (file === undefined) return opted;
  for (const entry of await readOptOutEntries(file, defaultRegion)) {
    if (entry.event === "opt_out") opted.add(entry.number);
    else opted.delete(entry.number);
  }
  return opted;
}

/** An entry as the list's line (read back by the tool: values kept), or as a row for people (`style`). */
export function entryLine(entry: OptOutEntry, style: CsvStyle = AS_INPUT): string {
  return csvRecord([entry.number, entry.at, entry.campaign, entry.event, entry.reason], style);
}

/**
 * Appends to the list with group commit: entries handed in while a write is under way go into
 * the next one. Each batch is one `write` on a file opened `O_APPEND` — the kernel places it at
 * the end whole, so two campaigns' `results` appending at the same moment never interleave
 * their lines — then `fsync`ed; `append` resolves once its line is on disk. Mode 0600.
 */
export class OptOutWriter {
  readonly #file: FileHandle;
  readonly #commits: GroupCommit<string>;

  private constructor(file: FileHandle) {
    this.#file = file;
    this.#commits = new GroupCommit<string>({
      commit: async (lines) => {
        const data = Buffer.from(lines.join(""));
        const { bytesWritten } = await file.write(data); // one write: O_APPEND places it whole
        if (bytesWritten !== data.length) throw new Error(`short write (${bytesWritten} of ${data.length} bytes)`);
        await file.sync();
      },
      poisonOnFailure: false,
    });
  }

  static async open(path: string): Promise<OptOutWriter> {
    try {
      // A new list gets its header; `wx` makes the creator the only writer of it.
      const created = await open(path, "wx", 0o600).catch((err: unknown) =>
        errnoCode(err) === "EEXIST" ? undefined : Promise.reject(err),
      );
      if (created) {
        await created.write(OPT_OUT_HEADER);
        await created.close();
      }
      return new OptOutWriter(await open(path, "a", 0o600));
    } catch (err) {
      throw new CampaignInputError(`${path}: cannot open the opt-out list for appending (${errnoCode(err) ?? String(err)})`, {
        cause: err,
      });
    }
  }

  append(entry: OptOutEntry): Promise<void> {
    return this.#commits.add(entryLine(entry));
  }

  async close(): Promise<void> {
    await this.#commits.flush().catch(() => undefined); // a failed append already rejected its caller
    await this.#file.close();
  }
}
