import { open } from "node:fs/promises";

/**
 * How a contacts file is written (docs/reference.md §17): its delimiter (detected from the header
 * line when the campaign names none) and its encoding — what a booking system's export uses, so
 * that the operator never writes a conversion script.
 */
export type CsvEncoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252" | "latin1";
export const CSV_ENCODINGS: readonly CsvEncoding[] = ["utf-8", "utf-16le", "utf-16be", "windows-1252", "latin1"];
export const CSV_DELIMITERS = [",", ";", "\t", "|"] as const;

export interface CsvFormat {
  /** Undefined: detected from the header line. */
  delimiter: string | undefined;
  encoding: CsvEncoding;
}

export const DEFAULT_CSV_FORMAT: CsvFormat = { delimiter: undefined, encoding: "utf-8" };

const NAMES: Record<string, string> = { ",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe" };
/** `semicolon-separated`, for messages. */
export const delimiterName = (delimiter: string): string => `${NAMES[delimiter] ?? JSON.stringify(delimiter)}-separated`;

/** The delimiter a header line uses: the one of `,` `;` tab `|` that occurs most often outside quotes; none: `,`. Pure. */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (CSV_DELIMITERS as readonly string[]).includes(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ",";
  let most = 0;
  for (const delimiter of CSV_DELIMITERS) {
    const n = counts.get(delimiter) ?? 0;
    if (n > most) [best, most] = [delimiter, n];
  }
  return best;
}

/**
 * A header read with one delimiter that lacks `column`, but would have it under another: that
 * other one (the file is "semicolon-separated"), or undefined. Pure.
 */
export function otherDelimiterWith(header: readonly string[], column: string, used: string): string | undefined {
  const line = header.join(used);
  return CSV_DELIMITERS.find((d) => d !== used && line.split(d).some((cell) => cell.trim().replace(/^"|"$/g, "") === column));
}

/** A UTF-16 byte order mark: the file is UTF-16 whatever the campaign says. */
export function encodingOfBom(start: Uint8Array): "utf-16le" | "utf-16be" | undefined {
  if (start[0] === 0xff && start[1] === 0xfe) return "utf-16le";
  if (start[0] === 0xfe && start[1] === 0xff) return "utf-16be";
  return undefined;
}

/** The encoding a file is read in: its UTF-16 BOM's, else the campaign's. */
export async function effectiveEncoding(file: string, declared: CsvEncoding): Promise<CsvEncoding> {
  return encodingOfBom(await readStart(file, 2)) ?? declared;
}

/** The first `bytes` bytes of a file (fewer when it is shorter; none when it cannot be read: its reader reports why). */
export async function readStart(file: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(file, "r").catch(() => undefined);
  if (!handle) return new Uint8Array();
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The first line (1-based) of `bytes` that is not valid UTF-8, or undefined. A multi-byte
 * character cut by the end of `bytes` is not an error (the rest of it follows). Pure.
 */
export function firstNonUtf8Line(bytes: Uint8Array): number | undefined {
  const strict = new TextDecoder("utf-8", { fatal: true });
  let line = 1;
  let from = 0;
  while (from < bytes.length) {
    const newline = bytes.indexOf(0x0a, from);
    const end = newline === -1 ? bytes.length : newline + 1;
    try {
      strict.decode(bytes.subarray(from, end), { stream: newline === -1 });
    } catch {
      return line;
    }
    line++;
    from = end;
  }
  return undefined;
}

/** "; the file looks semicolon-separated: set csv.delimiter", when another delimiter would give the header `column`. */
export function delimiterHint(header: readonly string[], column: string, used: string): string {
  const other = otherDelimiterWith(header, column, used);
  return other === undefined ? "" : `; the file looks ${delimiterName(other)}: set csv.delimiter`;
}
