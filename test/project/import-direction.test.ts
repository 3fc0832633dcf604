import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Imports flow one way (docs/development.md, "Layout"): bench, demo → cli → commands → engine →
 * campaign → the rooms below it → errors. A folder may import only folders of a lower layer (or itself);
 * inside `engine/`, the same holds between its sub-layers: plan < standing < kinds < results <
 * follow-up < run. Static imports, `export … from` and dynamic `import()` are all edges. No file
 * imports itself through others (no cycle), outside the simulator.
 */
const LAYER: Record<string, number> = {
  "errors.ts": 0,
  "group-commit.ts": 0,
  "clock.ts": 0,
  "heap-growth.ts": 0,
  "env.ts": 0,
  "resources.ts": 0,
  "stop-on-signals.ts": 1,
  contacts: 1,
  flow: 1,
  studio: 1,
  throttle: 1,
  ledger: 2,
  schedule: 3,
  report: 4,
  "opt-outs": 4,
  simulator: 4,
  campaign: 5,
  engine: 6,
  commands: 7,
  cli: 8,
  bench: 9,
  demo: 9,
};

/** `engine/`'s rooms, in the order a run uses them: what is planned, then performed. */
const ENGINE_LAYER: Record<string, number> = {
  plan: 0,
  standing: 1,
  kinds: 2,
  results: 3,
  "follow-up": 4,
  run: 5,
};

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith(".ts") ? [path.join(dir, entry.name)] : [],
  );
}

/** Every relative module a file imports: `import … from`, `export … from`, `import "…"` and `import("…")`. */
export function importsOf(text: string): string[] {
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\b[^"'`;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/gm),
    ...text.matchAll(/^\s*import\s*["'](\.{1,2}\/[^"']+)["']/gm),
    ...text.matchAll(/\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g),
  ];
  return specifiers.map((m) => m[1]!);
}

/** The top-level folder (or root file) of a path under src/, and its room inside engine/. */
const parts = (file: string) => path.relative(SRC, file).split(path.sep);
const unitOf = (file: string) => parts(file)[0]!;
const engineRoomOf = (file: string) => (unitOf(file) === "engine" && parts(file).length > 2 ? parts(file)[1]! : undefined);

const files = sourceFiles(SRC);
const edges = files.flatMap((file) =>
  importsOf(readFileSync(file, "utf8")).map((specifier) => {
    const target = path.resolve(path.dirname(file), specifier).replace(/\.js$/, ".ts");
    return { file, target };
  }),
);
const rel = (file: string) => path.relative(SRC, file);

/** The files that import themselves through others: Tarjan's strongly connected components of more than one file. */
function cycles(nodes: readonly string[], out: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of out.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return found;
}

describe("imports flow one way", () => {
  it("reads every kind of import, dynamic ones included", () => {
    const text = [
      `import { a } from "./a.js";`,
      `import type { B } from "../b.js";`,
      `export { c } from "./c.js";`,
      `import "./d.js";`,
      `  const { e } = await import("./e.js");`,
      `import pLimit from "p-limit";`,
    ].join("\n");
    expect(importsOf(text)).toEqual(["./a.js", "../b.js", "./c.js", "./d.js", "./e.js"]);
  });

  it("every folder of src/ has a layer, and every room of engine/ a sub-layer", () => {
    expect(files.length).toBeGreaterThan(50);
    expect([...new Set(files.map(unitOf))].filter((unit) => LAYER[unit] === undefined)).toEqual([]);
    const rooms = files.map(engineRoomOf).filter((room) => room !== undefined);
    expect(rooms.length).toBeGreaterThan(20);
    expect([...new Set(rooms)].filter((room) => ENGINE_LAYER[room] === undefined)).toEqual([]);
    expect(files.filter((file) => unitOf(file) === "engine" && engineRoomOf(file) === undefined).map(rel)).toEqual([]);
  });

  it("no import reaches a folder of the same or a higher layer", () => {
    expect(edges.length).toBeGreaterThan(100);
    const upward = edges
      .filter((e) => unitOf(e.file) !== unitOf(e.target) && LAYER[unitOf(e.target)]! >= LAYER[unitOf(e.file)]!)
      .map((e) => `${rel(e.file)} → ${rel(e.target)}`);
    expect(upward).toEqual([]);
  });

  it("inside engine/, no import reaches a room of the same or a higher sub-layer", () => {
    const inside = edges.filter((e) => engineRoomOf(e.file) !== undefined && engineRoomOf(e.target) !== undefined);
    expect(inside.length).toBeGreaterThan(20);
    const upward = inside
      .filter((e) => engineRoomOf(e.file) !== engineRoomOf(e.target))
      .filter((e) => ENGINE_LAYER[engineRoomOf(e.target)!]! >= ENGINE_LAYER[engineRoomOf(e.file)!]!)
      .map((e) => `${rel(e.file)} → ${rel(e.target)}`);
    expect(upward).toEqual([]);
  });

  it("no cycle between files outside the simulator", () => {
    const core = files.filter((file) => unitOf(file) !== "simulator");
    const out = new Map<string, string[]>();
    for (const e of edges) if (unitOf(e.target) !== "simulator") out.set(e.file, [...(out.get(e.file) ?? []), e.target]);
    expect(cycles(core, out).map((component) => component.map(rel))).toEqual([]);
  });

  it("finds a cycle when there is one", () => {
    const out = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(cycles(["a", "b", "c", "d"], out)).toEqual([["a", "b", "c"]]);
  });
});
