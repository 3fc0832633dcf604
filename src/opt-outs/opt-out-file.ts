import { createHash, randomUUID } from "node:crypto";
import { access, link, open, readFile, unlink, type FileHandle } from "node:fs/promises";
import { AS_INPUT, csvRecord } from "../contacts/csv-writer.js";
import { errnoCode } from "../errors.js";
import { GroupCommit } from "../group-commit.js";
import { entryLine, OPT_OUT_COLUMNS, OptOutListError, optOutNumber, type OptOutEntry, type OptOutStore } from "./opt-out-store.js";

const OPT_OUT_HEADER = csvRecord(OPT_OUT_COLUMNS, AS_INPUT);

/** A number as the tool writes it: taken as it is (a hand-written one is normalized). */
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * The list as a CSV file (docs/reference.md §12), mode 0600. A plain list of numbers (one a line, or any CSV
 * whose first field is a number) reads as opt-outs, so an older suppression-style file can serve
 * as the list and be appended to. Read from a byte position on: a run reads what was appended
 * since its last look, whole lines only (a line still being written waits for the next look).
 */
export class FileOptOutStore implements OptOutStore {
  readonly label: string;
  readonly #path: string;
  readonly #defaultRegion: string | undefined;
  #writer: Promise<OptOutWriter> | undefined;

  constructor(path: string, defaultRegion: string | undefined) {
    this.#path = path;
    this.label = path;
    this.#defaultRegion = defaultRegion;
  }

  async readSince(position: number): Promise<{ entries: OptOutEntry[]; position: number; restarted?: boolean }> {
    let handle: FileHandle;
    try {
      handle = await open(this.#path, "r");
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return { entries: [], position: 0, restarted: position > 0 };
      throw new OptOutListError(this.label, "be read", err);
    }
    try {
      const { size } = await handle.stat();
      // Shorter than what was read: edited by hand, not appended to. Read it all again.
      const restarted = size < position;
      const from = restarted ? 0 : position;
      const bytes = Buffer.alloc(size - from);
      if (bytes.length > 0) await handle.read(bytes, 0, bytes.length, from);
      const lastBreak = bytes.lastIndexOf(0x0a);
      // Whole lines move the position; a last line without its break is read, and read again next time.
      const complete = lastBreak + 1;
      const entries = await this.#entries(bytes, from === 0);
      return { entries, position: from + complete, ...(restarted ? { restarted } : {}) };
    } catch (err) {
      throw new OptOutListError(this.label, "be read", err);
    } finally {
      await handle.close();
    }
  }

  /** The entries of whole records; the parsers load only when there is something to parse (a cron rerun's fingerprint needs none). */
  async #entries(bytes: Buffer, atStart: boolean): Promise<OptOutEntry[]> {
    if (bytes.length === 0) return [];
    const [{ parse }, { normalizeAddress }] = await Promise.all([import("csv-parse/sync"), import("../contacts/phone.js")]);
    const records = parse(bytes, {
      bom: atStart,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
    }) as string[][];
    const entries: OptOutEntry[] = [];
    for (const record of records) {
      const raw = (record[0] ?? "").trim();
      const number = E164.test(raw) ? raw : normalizeAddress(raw, this.#defaultRegion);
      if (typeof number !== "string" && !number.ok) continue; // the header, a comment, a name
      const event = (record[3] ?? "").trim() === "opt_in" ? "opt_in" : "opt_out";
      entries.push({
        number: optOutNumber(typeof number === "string" ? number : number.address),
        at: record[1] ?? "",
        campaign: record[2] ?? "",
        event,
        reason: record[4] ?? "",
      });
    }
    return entries;
  }

  async append(entries: readonly OptOutEntry[]): Promise<void> {
    const writer = await (this.#writer ??= OptOutWriter.open(this.#path, this.label));
    await Promise.all(entries.map((entry) => writer.append(entry)));
  }

  /** The content's hash: any entry added, or a hand edit, changes it (hashing the file costs less than parsing it for its opt-ins). */
  async identity(): Promise<string> {
    try {
      return `file:${createHash("sha256")
        .update(await readFile(this.#path))
        .digest("hex")}`;
    } catch (err) {
      return errnoCode(err) === "ENOENT" ? "file:absent" : "file:unreadable";
    }
  }

  async close(): Promise<void> {
    const writer = this.#writer;
    this.#writer = undefined;
    if (writer) await (await writer).close();
  }
}

/**
 * Appends to the list with group commit: entries handed in while a write is under way go into
 * the next one. Each batch is one `write` on a file opened `O_APPEND` — the kernel places it at
 * the end whole, so two campaigns' `results` appending at the same moment never interleave
 * their lines — then `fsync`ed; `append` resolves once its line is on disk. Mode 0600.
 */
class OptOutWriter {
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

  static async open(path: string, label: string): Promise<OptOutWriter> {
    try {
      await createWithHeader(path);
      return new OptOutWriter(await open(path, "a", 0o600));
    } catch (err) {
      throw new OptOutListError(label, "be opened for appending", err);
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

/**
 * A new list appears with its header already in it, or not at all: the header is written to a
 * private file beside it, then linked into place (`link` fails if the list exists). Created empty
 * and written after, the header could land over a line another process appended in between — an
 * opt-out lost (seen: two campaigns' first appends at the same moment).
 */
async function createWithHeader(path: string): Promise<void> {
  if (
    await access(path).then(
      () => true,
      () => false,
    )
  )
    return;
  const temporary = `${path}.${process.pid}.${randomUUID()}.new`;
  const file = await open(temporary, "wx", 0o600);
  try {
    await file.write(OPT_OUT_HEADER);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(temporary, path);
  } catch (err) {
    if (errnoCode(err) !== "EEXIST") throw err;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
