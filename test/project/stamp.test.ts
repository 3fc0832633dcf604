import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: a build script in plain JavaScript, without types
import { stampOf } from "../../scripts/stamp.mjs";

/**
 * The build and `npm test`'s type check are skipped when what they read has the same stamp as when
 * they last passed (scripts/stamp.mjs): any change of bytes, name or presence must change it.
 */
const stamp = stampOf as (paths: string[], root: string) => Promise<string>;
let root: string;
afterEach(() => rm(root, { recursive: true, force: true }));

async function tree(files: Record<string, string>): Promise<string> {
  root = await mkdtemp(path.join(tmpdir(), "stamp-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  return root;
}

describe("stampOf: what a step read, as one hash", () => {
  const PATHS = ["src", "tsconfig.json", "patches"];
  const FILES = { "src/a.ts": "export const a = 1;\n", "src/deep/b.ts": "export const b = 2;\n", "tsconfig.json": "{}\n" };

  it("the same files give the same stamp, in any order of writing", async () => {
    const first = await stamp(PATHS, await tree(FILES));
    await rm(root, { recursive: true });
    const reversed = Object.fromEntries(Object.entries(FILES).reverse());
    expect(await stamp(PATHS, await tree(reversed))).toBe(first);
  });

  it.each([
    ["one byte of a file", async (r: string) => writeFile(path.join(r, "src/deep/b.ts"), "export const b = 3;\n")],
    ["a file added", async (r: string) => writeFile(path.join(r, "src/c.ts"), "")],
    ["a file removed", async (r: string) => rm(path.join(r, "src/a.ts"))],
    ["a file renamed", async (r: string) => rename(path.join(r, "src/a.ts"), path.join(r, "src/a2.ts"))],
    ["a missing path appearing", async (r: string) => mkdir(path.join(r, "patches"))],
    [
      "bytes moved from one file to the next",
      async (r: string) => {
        await writeFile(path.join(r, "src/a.ts"), "export const a = 1;\nexport");
        await writeFile(path.join(r, "src/deep/b.ts"), " const b = 2;\n");
      },
    ],
  ])("%s changes the stamp", async (_name, change) => {
    const r = await tree(FILES);
    const before = await stamp(PATHS, r);
    await change(r);
    expect(await stamp(PATHS, r)).not.toBe(before);
  });
});
