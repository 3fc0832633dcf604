// What a build step read, as one hash: the build (scripts/build-js.mjs) and the type check of
// `npm test` (scripts/test.mjs) are skipped when what they would read is what they read the last
// time they passed — byte for byte, not by modification time — and, for the build, when dist/ is
// still what it wrote. Kept in node_modules/.cache/studio-campaign (gone with `npm ci`).
import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CACHE = path.join(ROOT, "node_modules/.cache/studio-campaign");

/** Every file under `paths` (files or folders, relative to `root`), each as its path and its bytes; a missing path counts as missing. */
export async function stampOf(paths, root = ROOT) {
  const files = [];
  const missing = [];
  const walk = async (relative) => {
    const full = path.join(root, relative);
    let entries;
    try {
      entries = await readdir(full, { withFileTypes: true });
    } catch (error) {
      if (error.code === "ENOTDIR") return void files.push(relative);
      if (error.code === "ENOENT") return void missing.push(relative);
      throw error;
    }
    await Promise.all(entries.map((entry) => walk(path.join(relative, entry.name))));
  };
  await Promise.all(paths.map(walk));
  files.sort();
  const contents = await Promise.all(files.map((file) => readFile(path.join(root, file))));
  const hash = createHash("sha256");
  files.forEach((file, i) => hash.update(`${file}\0${contents[i].length}\0`).update(contents[i]));
  for (const gone of missing.sort()) hash.update(`missing ${gone}\0`);
  return hash.digest("hex");
}

/** The stamps saved by the step's last pass, or undefined. */
export async function savedStamp(step) {
  try {
    return JSON.parse(await readFile(path.join(CACHE, `${step}.json`), "utf8"));
  } catch {
    return undefined;
  }
}

export async function saveStamp(step, stamps) {
  await mkdir(CACHE, { recursive: true });
  await writeFile(path.join(CACHE, `${step}.json`), `${JSON.stringify(stamps)}\n`);
}

/** Forget the step's last pass (before a build that may be interrupted half-way). */
export async function forgetStamp(step) {
  await rm(path.join(CACHE, `${step}.json`), { force: true });
}
