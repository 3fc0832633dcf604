import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openContactsCsv } from "../../src/contacts/read-csv.js";
import { scanRecords } from "../../src/contacts/raw-records.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function file(content: string | Buffer): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "raw-records-"));
  dirs.push(dir);
  const name = path.join(dir, "export.csv");
  await writeFile(name, content);
  return name;
}

/** Each record as the parser reads it from the scan's resume point: its row, its cells, and the line it ends on. */
async function parsedFromScan(name: string, delimiter: string) {
  const scan = (await scanRecords(name, delimiter))!;
  const header = (await openContactsCsv(name, "to", undefined, { format: { delimiter, encoding: "utf-8" } })).header;
  const read = [];
  for (let i = 0; i < scan.count; i++) {
    const csv = await openContactsCsv(name, "to", {
      header,
      bytes: scan.start[i]!,
      rows: i,
      lines: scan.lines[i]!,
      ...(i + 1 < scan.count ? { until: scan.start[i + 1]! } : {}),
    });
    for await (const record of csv.records) read.push(record);
  }
  return { scan, read };
}

async function parsedWhole(name: string, delimiter: string) {
  const read = [];
  for await (const record of (await openContactsCsv(name, "to", undefined, { format: { delimiter, encoding: "utf-8" } })).records)
    read.push(record);
  return read;
}

describe("an export split into records without parsing (docs/reference.md §16)", () => {
  it.each([
    ["plain rows, a last line without its line break", "to,name\n+1415,Ann\n+1416,Bo"],
    ["CRLF, blank lines between rows and at the end", "to,name\r\n+1415,Ann\r\n\r\n+1416,Bo\r\n\r\n"],
    ["quoted cells with the delimiter, a quote and a line break", 'to,name\n+1415,"Smith, ""Ann""\nsecond line"\n+1416,"Bo"\n'],
    ["a byte order mark and semicolons", '\uFEFFto;name\n+1415;Ann\n+1416;"a;b"\n'],
    ["a ragged row the parser reports as invalid", "to,name\n+1415,Ann,extra\n+1416,Bo\n"],
  ])("%s: the same records, rows and lines as the parser reads the whole file", async (_, content) => {
    const delimiter = content.includes(";") ? ";" : ",";
    const name = await file(content);
    const { scan, read } = await parsedFromScan(name, delimiter);
    const whole = await parsedWhole(name, delimiter);
    expect(scan.count).toBe(whole.length);
    expect(read).toEqual(whole);
  });

  it("the same bytes hash alike wherever they stand; a changed byte, another hash", async () => {
    const a = (await scanRecords(await file("to,name\n+1415,Ann\n+1416,Bo\n"), ","))!;
    const b = (await scanRecords(await file("to,name\n+1416,Bo\n+1415,Ann\n+1415,Anne\n"), ","))!;
    expect([b.hash[0], b.hash[1]]).toEqual([a.hash[1], a.hash[0]]);
    expect(b.hash[2]).not.toBe(a.hash[0]);
    expect(new Set([...a.hash.subarray(0, 2), b.hash[2]]).size).toBe(3);
  });

  it.each([
    ["a quote inside an unquoted cell", 'to,name\n+1415,Ann "the" Smith\n'],
    ["a quoted cell never closed", 'to,name\n+1415,"Ann\n'],
    ["text after a closing quote", 'to,name\n+1415,"Ann"x\n'],
  ])("%s: no split (the export is parsed whole)", async (_, content) => {
    expect(await scanRecords(await file(content), ",")).toBeUndefined();
  });
});
