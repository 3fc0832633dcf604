import { mkdtemp, rm, writeFile, rename } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { sameByStamp, sameExport, snapshotOf, type ExportSnapshot, type FileStamp } from "../../../src/engine/standing/tick-mark.js";

const SECOND = 1_000_000_000n;
const stamp = (over: Partial<FileStamp> = {}): FileStamp => ({
  dev: "2049",
  ino: "131",
  size: "4096",
  mtimeNs: String(100n * SECOND),
  ctimeNs: String(100n * SECOND),
  takenAt: 110_000,
  ...over,
});
const snapshot = (over: Partial<FileStamp> = {}): ExportSnapshot => ({ size: 4096, sha256: "h", stamp: stamp(over) });

describe("sameByStamp: the export's stamp vouches for its content, as git's index does (docs/reference.md §16)", () => {
  it.each<[string, ExportSnapshot, Partial<FileStamp>, boolean]>([
    ["the same file, untouched for 10 s before the snapshot", snapshot(), {}, true],
    ["rewritten in place (a new ctime and mtime)", snapshot(), { mtimeNs: String(120n * SECOND), ctimeNs: String(120n * SECOND) }, false],
    ["copied over with its old mtime kept (cp -p, rsync -t): the ctime tells", snapshot(), { ctimeNs: String(120n * SECOND) }, false],
    ["renamed into place (another inode)", snapshot(), { ino: "999" }, false],
    ["another size", snapshot(), { size: "4097" }, false],
    ["another device", snapshot(), { dev: "2050" }, false],
    ["changed less than 2 s before the snapshot: only the hash decides", snapshot({ takenAt: 101_500 }), {}, false],
    ["a snapshot of an earlier version, without a stamp", { size: 4096, sha256: "h" }, {}, false],
  ])("%s: %s", (_name, then, now, expected) => {
    expect(sameByStamp(then, { ...stamp(), ...now })).toBe(expected);
  });
});

describe("sameExport on a real file", () => {
  it("a file just written is compared by its hash: the same bytes rewritten are the same, other bytes are not", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tick-mark-"));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, "export.csv");
    await writeFile(file, "appointment_id,to\nA1,+14155552001\n");
    const taken = await snapshotOf(file);
    expect(await sameExport(file, taken)).toBe(true);
    // Rewritten at once with the same bytes (a new inode): not settled, so hashed: the same.
    await writeFile(`${file}.new`, "appointment_id,to\nA1,+14155552001\n");
    await rename(`${file}.new`, file);
    expect(await sameExport(file, taken)).toBe(true);
    await writeFile(file, "appointment_id,to\nA1,+14155552002\n");
    expect(await sameExport(file, taken)).toBe(false);
  });

  it("a file that stood still before the snapshot is vouched for by its stamp, without reading it; a write after is seen", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tick-mark-"));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, "export.csv");
    await writeFile(file, "appointment_id,to\nA1,+14155552001\n");
    const taken = await snapshotOf(file);
    // As if taken 10 s after the file's last write; a wrong hash proves the bytes were not read again.
    const later = { ...taken, sha256: "not the hash", stamp: { ...taken.stamp!, takenAt: taken.stamp!.takenAt + 10_000 } };
    expect(await sameExport(file, later)).toBe(true);
    // Another size: the faked snapshot time skips the settling guard, and a write in the same
    // tick of the kernel's coarse clock could keep the times (the case the guard exists for).
    await writeFile(file, "appointment_id,to\nA1,+14155552002\nA2,+14155552003\n");
    expect(await sameExport(file, later)).toBe(false);
  });
});
