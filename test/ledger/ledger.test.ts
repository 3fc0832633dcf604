import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LedgerError } from "../../src/ledger/errors.js";
import { loadLedgerState } from "../../src/ledger/open-ledger.js";
import { openLocked } from "../helpers/ledger.js";
import { FileLedgerWriter } from "../../src/ledger/file/write-ledger.js";
import { FileLedger } from "../../src/ledger/file/file-ledger.js";
import type { LedgerEvent } from "../../src/ledger/events.js";

let dir: string;
let file: string;
const binding = { name: "c", flowSid: "FW1", from: "+15017122661", account: "AC1" };
const at = "2026-01-01T00:00:00.000Z";
const attempt = (to: string, n = 1): LedgerEvent => ({ t: "attempt", row: 1, to, from: "+15017122661", n, at });
const created = (to: string): LedgerEvent => ({ t: "created", row: 1, to, from: "+15017122661", sid: `FN-${to}`, http: 201, at });

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ledger-"));
  file = path.join(dir, "c.ledger.jsonl");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("ledger", () => {
  it("is created with mode 0600, starts with its binding, and resumes the state", async () => {
    const first = await openLocked(new FileLedger(file), binding);
    await first.writer.append(attempt("+1"));
    await first.writer.append(created("+1"));
    await first.writer.append(attempt("+2"));
    await first.writer.close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const { state, writer } = await openLocked(new FileLedger(file), binding);
    await writer.close();
    expect(state.header).toMatchObject(binding);
    expect(state.units.get("+1|+15017122661")).toMatchObject({ status: "created", inDoubt: false });
    // An attempt with no outcome (a crash) is in doubt since it started.
    expect(state.units.get("+2|+15017122661")).toMatchObject({ status: "pending", inDoubt: true, firstDoubtAt: Date.parse(at) });
  });

  it("forgives and cuts a torn last line, so the next line is whole", async () => {
    const { writer } = await openLocked(new FileLedger(file), binding);
    await writer.append(created("+1"));
    await writer.close();
    await appendFile(file, '{"t":"created","row":2,"to":"+2","fr');
    const reopened = await openLocked(new FileLedger(file), binding);
    expect(reopened.state.units.has("+2|+15017122661")).toBe(false);
    await reopened.writer.append(created("+3"));
    await reopened.writer.close();
    const lines = (await readFile(file, "utf8")).split("\n").filter(Boolean);
    expect(lines.map((l) => JSON.parse(l).t)).toEqual(["campaign", "created", "created"]);
  });

  it("reports a corrupt middle line with its number and does not touch the file", async () => {
    const { writer } = await openLocked(new FileLedger(file), binding);
    await writer.append(created("+1"));
    await writer.close();
    await appendFile(file, "garbage\n");
    await appendFile(file, `${JSON.stringify(created("+2"))}\n`);
    const before = await readFile(file, "utf8");
    await expect(openLocked(new FileLedger(file), binding)).rejects.toThrow(/line 3 is corrupt/);
    await expect(loadLedgerState(new FileLedger(file))).rejects.toBeInstanceOf(LedgerError);
    expect(await readFile(file, "utf8")).toBe(before);
  });

  it("refuses another flow, sender or account", async () => {
    const { writer } = await openLocked(new FileLedger(file), binding);
    await writer.close();
    for (const key of ["flowSid", "from", "account"] as const) {
      await expect(openLocked(new FileLedger(file), { ...binding, [key]: "other" })).rejects.toThrow(new RegExp(`belongs to ${key}`));
    }
  });

  it("group-commits: concurrent appends all land whole, in order of arrival", async () => {
    await writeFile(file, "");
    const writer = await FileLedgerWriter.open(file, 0);
    await Promise.all(Array.from({ length: 500 }, (_, i) => writer.append(attempt(`+${i}`))));
    await writer.close();
    const lines = (await readFile(file, "utf8")).split("\n").filter(Boolean);
    expect(lines.map((l) => JSON.parse(l).to)).toEqual(Array.from({ length: 500 }, (_, i) => `+${i}`));
  });

  it("handles multi-byte characters across read chunks", async () => {
    const { writer } = await openLocked(new FileLedger(file), binding);
    for (let i = 0; i < 3000; i++) {
      await writer.append({ t: "row", row: i, status: "invalid", to: "ü€😀".repeat(5), from: "+1", reason: "ñ".repeat(20), at });
    }
    await writer.close();
    const state = await loadLedgerState(new FileLedger(file));
    expect(state.skippedRows.size).toBe(3000);
  });
});
