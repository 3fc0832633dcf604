import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Imports flow one way (issue 11): cli → campaign → contacts, studio, throttle, ledger, report;
 * nothing below campaign/ imports it, and errors.ts sits below everything. A folder may import
 * only folders of a lower layer (or itself).
 */
const LAYER: Record<string, number> = {
  "errors.ts": 0,
  "group-commit.ts": 0,
  "clock.ts": 0,
  "resources.ts": 0,
  contacts: 1,
  flow: 1,
  studio: 1,
  throttle: 1,
  ledger: 2,
  report: 3,
  "opt-outs": 3,
  simulator: 3,
  campaign: 4,
  cli: 5,
  bench: 5,
  demo: 5,
};

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith(".ts") ? [path.join(dir, entry.name)] : [],
  );
}

/** The top-level folder (or root file) of a path under src/. */
const unitOf = (file: string) => path.relative(SRC, file).split(path.sep)[0]!;

describe("imports flow one way", () => {
  const files = sourceFiles(SRC);
  const edges = files.flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/^(?:import|export)[^"]*?from "(\.{1,2}\/[^"]+)"/gm)].map((m) => ({
      from: unitOf(file),
      to: unitOf(path.resolve(path.dirname(file), m[1]!)),
      file: path.relative(SRC, file),
    })),
  );

  it("every folder of src/ has a layer", () => {
    expect(files.length).toBeGreaterThan(50);
    expect([...new Set(files.map(unitOf))].filter((unit) => LAYER[unit] === undefined)).toEqual([]);
  });

  it("no import reaches a folder of the same or a higher layer", () => {
    expect(edges.length).toBeGreaterThan(100);
    const upward = edges.filter((e) => e.from !== e.to && LAYER[e.to]! >= LAYER[e.from]!).map((e) => `${e.file} → ${e.to}`);
    expect(upward).toEqual([]);
  });
});
