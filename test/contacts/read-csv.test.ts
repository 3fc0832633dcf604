import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countRecordLines, openContactsCsv, type CsvRecord } from "../../src/contacts/read-csv.js";
import { scanRecords } from "../../src/contacts/raw-records.js";

let dir: string;
beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), "csv-"))));
afterEach(() => rm(dir, { recursive: true, force: true }));

async function read(text: string): Promise<CsvRecord[]> {
  const file = path.join(dir, "c.csv");
  await writeFile(file, text);
  const csv = await openContactsCsv(file, "to");
  const out: CsvRecord[] = [];
  for await (const r of csv.records) out.push(r);
  return out;
}

describe("openContactsCsv", () => {
  it("accepts a BOM and quoted multi-line fields, numbering data records from 1", async () => {
    const records = await read('\ufeffto,note\n+1,"two\nlines"\n\n+2,"a ""quote"""\n');
    // `end`: the byte just past each record (BOM and line break included); `lines`: its last line.
    expect(records).toEqual([
      { row: 1, fields: { to: "+1", note: "two\nlines" }, end: 26, lines: 3 },
      { row: 2, fields: { to: "+2", note: 'a "quote"' }, end: 44, lines: 5 },
    ]);
  });

  it("resumes at a record's end with the header given: the same records, numbers and offsets", async () => {
    const text = '\ufeffto,note\n+1,"two\nlines"\n\n+2,"a ""quote"""\n+3,c\n';
    await writeFile(path.join(dir, "c.csv"), text);
    const csv = await openContactsCsv(path.join(dir, "c.csv"), "to", { header: ["to", "note"], bytes: 26, rows: 1, lines: 3 });
    const out: CsvRecord[] = [];
    for await (const r of csv.records) out.push(r);
    expect(out).toEqual([
      { row: 2, fields: { to: "+2", note: 'a "quote"' }, end: 44, lines: 5 },
      { row: 3, fields: { to: "+3", note: "c" }, end: 49, lines: 6 },
    ]);
  });

  it("turns ragged and unparsable records into errors with their number, and goes on", async () => {
    const records = await read('to,note\n+1,a\n+2,b,extra\n+3,"bad"quote\n+4,y\n+5,"q"\n+9,z\n');
    expect(records[0]).toMatchObject({ row: 1, fields: { to: "+1", note: "a" } });
    expect(records[1]).toMatchObject({ row: 2, error: expect.stringMatching(/has 3 fields, the header has 2/) });
    expect(records[2]).toMatchObject({ row: 3, error: expect.stringMatching(/unparsable CSV near line 4/) });
    // csv-parse resynchronizes at the next record it can read: what lies between is reported
    // as unparsable (never silently dropped), and reading goes on.
    expect(records.at(-1)).toMatchObject({ fields: { to: "+9" } });
    expect(records.every((r) => "fields" in r || /line \d+/.test(r.error))).toBe(true);
  });

  it("rejects a file without the to column, naming the file and line", async () => {
    await expect(read("phone,name\n+1,a\n")).rejects.toThrow(/c\.csv: line 1: the header has no "to" column/);
  });

  it("rejects a missing or empty file", async () => {
    await expect(openContactsCsv(path.join(dir, "missing.csv"), "to")).rejects.toThrow(
      /missing\.csv: cannot read the contacts file \(ENOENT\)/,
    );
    await expect(read("")).rejects.toThrow(/empty/);
  });
});

describe("openContactsCsv with positions from a scan (csv-parse keeps none)", () => {
  /** The records read both ways; the fields and every error the same, its line included. */
  async function bothWays(text: string, encoding?: "windows-1252"): Promise<{ own: CsvRecord[]; scanned: CsvRecord[] }> {
    const file = path.join(dir, "c.csv");
    await writeFile(file, text, encoding === undefined ? "utf8" : "latin1");
    const format = { delimiter: ",", encoding: encoding ?? ("utf-8" as const) };
    const readAll = async (positions?: Awaited<ReturnType<typeof scanRecords>>) => {
      const csv = await openContactsCsv(file, "to", undefined, { format, positions });
      const out: CsvRecord[] = [];
      for await (const record of csv.records) out.push(record);
      return out;
    };
    const scan = await scanRecords(file, ",");
    expect(scan).toBeDefined();
    return { own: await readAll(), scanned: await readAll(scan) };
  }

  /** A record without the positions only the parser's own `info` gives (`end`, and `lines` of a good record). */
  const withoutPositions = (record: CsvRecord): CsvRecord =>
    "error" in record
      ? { row: record.row, error: record.error, ...(record.lines === undefined ? {} : { lines: record.lines }) }
      : { row: record.row, fields: record.fields };

  it.each([
    ["ragged rows on one line", "to,note\n+1,a\n+2,b,extra\n+3\n+4,d\n"],
    ["a ragged row spanning lines, blank lines", 'to,note\n+1,"two\nlines",x\n\n\n+2,b\n+3,"a\n\nb",y,z\n+4,c'],
    ["a BOM and a row that is not UTF-8", "\ufeffto,note\n+1,caf\u00e9\n+2,\ufffd\n+3,c\n"],
  ])("%s: the same records, each error naming the same line", async (_name, text) => {
    const { own, scanned } = await bothWays(text);
    expect(own.some((record) => "error" in record)).toBe(true);
    expect(scanned).toEqual(own.map(withoutPositions));
    expect(scanned.filter((record) => "error" in record).map((record) => (record as { error: string }).error)).toEqual(
      own.filter((record) => "error" in record).map((record) => (record as { error: string }).error),
    );
  });

  it("names a record's last line in CRLF too (where csv-parse counts a CRLF inside quotes as two lines)", async () => {
    const { own, scanned } = await bothWays('to,note\r\n+1,"two\r\nlines",x\r\n\r\n\r\n+2,b\r\n+3,"a\r\n\r\nb",y,z\r\n+4,c');
    expect(scanned.map((record) => ("error" in record ? record.error : "ok"))).toEqual([
      "has 3 fields, the header has 2 (line 3)",
      "ok",
      "has 4 fields, the header has 2 (line 9)",
      "ok",
    ]);
    expect(scanned.map(({ row }) => row)).toEqual(own.map(({ row }) => row));
  });

  it("reads a Windows code page the same both ways", async () => {
    const { own, scanned } = await bothWays("to,note\n+1,Ren\u00e9e\n+2,b,c\n", "windows-1252");
    expect(own[0]).toMatchObject({ fields: { note: "Renée" } });
    expect(scanned).toEqual(own.map(withoutPositions));
  });
});

describe("countRecordLines", () => {
  // An upper bound of the records from a byte on: blank lines (only \r) are not counted, a quoted
  // field's second line is; no line break at the end still counts its line.
  it.each([
    ["records with LF", "+1\n+2\n", 2],
    ["CRLF and blank lines", "+1\r\n\r\n\n+2\r\n\r\n", 2],
    ["no line break at the end", "+1\n+2", 2],
    ["a quoted field across two lines (an upper bound)", '+1,"two\nlines"\n', 2],
    ["nothing", "", 0],
    ["only blank lines", "\n\r\n\n", 0],
    ["a line of spaces (a record to the parser)", "  \n", 1],
  ])("%s", async (_name, text, expected) => {
    const file = path.join(dir, "c.csv");
    await writeFile(file, `to,note\n${text}`);
    expect(await countRecordLines(file, { bytes: 8 })).toBe(expected);
  });

  it("counts lines within a range across read chunks, and none in an empty range", async () => {
    const file = path.join(dir, "c.csv");
    const body = Array.from({ length: 30_000 }, (_, i) => `+1415${2000000 + i}\r\n\r\n`).join(""); // > one 64 KiB chunk
    await writeFile(file, `to\n${body}+14159999999\n`);
    expect(await countRecordLines(file, { bytes: 3 })).toBe(30_001);
    const until = 3 + Buffer.byteLength(body);
    expect(await countRecordLines(file, { bytes: 3, until })).toBe(30_000);
    expect(await countRecordLines(file, { bytes: until, until })).toBe(0);
  });
});
