import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeAtomically } from "../../src/ledger/checkpoint.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("writeAtomically", () => {
  it("writes its parts in order, small ones gathered and large ones as they are, into a private file and nothing beside it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "studio-campaign-atomic-"));
    dirs.push(dir);
    const sized = (n: number, byte: number) => Buffer.alloc(n, byte);
    // Small parts around large ones, and runs of small ones past the 1 MB gathering buffer.
    const parts = [
      sized(3, 1),
      sized(300_000, 2),
      sized(10, 3),
      ...Array.from({ length: 5_000 }, (_, i) => sized(250, 4 + (i % 7))),
      sized(2_000_000, 20),
      sized(1, 21),
    ];
    const target = path.join(dir, "out.bin");
    await writeAtomically(target, parts);
    expect((await readFile(target)).equals(Buffer.concat(parts))).toBe(true);
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(["out.bin"]);
  });
});
