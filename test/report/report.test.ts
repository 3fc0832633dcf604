import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildReport, reportCsvChunks } from "../../src/report/build-report.js";
import { FileLedger } from "../../src/ledger/file/file-ledger.js";
import { parseCsv } from "../helpers/cli.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const FROM = "+15017122661";
const at = "2026-11-28T10:00:00.000Z";
const sid = (n: number) => `FN${String(n).padStart(32, "0")}`;
const contact = (row: number) => ({ row, to: `+141555510${String(row).padStart(2, "0")}`, from: FROM });

/** Two shards' ledgers, rows out of order, states and answers after the creates (one answer holds a "row" key). */
function shardLines(rows: number[], executionsNameTheirRow = false): string[] {
  const lines: object[] = [
    { t: "campaign", v: 1, name: "r", flowSid: "FW0123456789abcdef0123456789abcdef", from: FROM, account: "AC1", at },
  ];
  lines.push({ t: "flow", sid: "FW0123456789abcdef0123456789abcdef", revision: 3, questions: ["ask"], at });
  for (const row of rows) {
    if (row % 5 === 0) {
      lines.push({ t: "row", row, status: "invalid", to: "x", from: FROM, reason: 'bad "row":1', at });
      continue;
    }
    lines.push({ t: "attempt", ...contact(row), n: 1, at }, { t: "created", ...contact(row), sid: sid(row), http: 201, at });
  }
  for (const row of rows) {
    if (row % 5 === 0) continue;
    const named = executionsNameTheirRow ? { row } : {};
    lines.push({ t: "exec", ...named, sid: sid(row), status: "ended", at });
    lines.push({
      t: "results",
      ...named,
      sid: sid(row),
      values: { "widgets.ask.inbound.Body": row % 2 ? `answer ${row}` : { row: 1 } },
      final: true,
      at,
    });
  }
  return lines.map((l) => JSON.stringify(l));
}

async function csvText(files: string[], rowsPerPass: number): Promise<string> {
  let text = "";
  for await (const chunk of reportCsvChunks(
    await buildReport(
      files.map((f) => new FileLedger(f)),
      { rowsPerPass },
    ),
  ))
    text += chunk;
  return text;
}

describe("report: a range of rows per pass, the same report", () => {
  it("merges shards in CSV order with states and answers, whatever the rows per pass", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "report-"));
    dirs.push(dir);
    const files = [path.join(dir, "a.jsonl"), path.join(dir, "b.jsonl")];
    await writeFile(files[0]!, `${shardLines([9, 1, 3, 5, 7, 11]).join("\n")}\n`);
    await writeFile(files[1]!, `${shardLines([2, 10, 4, 6, 8, 12]).join("\n")}\n`);
    const whole = await csvText(files, 1000);
    for (const rowsPerPass of [1, 2, 5]) expect(await csvText(files, rowsPerPass)).toBe(whole);
    // This version's Execution lines name their row (no table of SIDs to route them): the same report.
    await writeFile(files[0]!, `${shardLines([9, 1, 3, 5, 7, 11], true).join("\n")}\n`);
    await writeFile(files[1]!, `${shardLines([2, 10, 4, 6, 8, 12], true).join("\n")}\n`);
    for (const rowsPerPass of [1, 2, 5, 1000]) expect(await csvText(files, rowsPerPass)).toBe(whole);
    const rows = parseCsv(whole);
    expect(rows.map((r) => Number(r.row))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(rows[0]).toMatchObject({ status: "created", execution_sid: sid(1), execution_status: "ended", ask: "answer 1" });
    expect(rows[1]).toMatchObject({ status: "created", ask: '{"row":1}' }); // a non-string answer as JSON, not a row
    expect(rows[4]).toMatchObject({ status: "invalid", error_message: 'bad "row":1', ask: "" });
  });
});
