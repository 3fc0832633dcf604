import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * No function over 60 lines outside the simulator, the bench and the demo (code is read
 * more than written). Every function-like node with a body counts — declarations, methods, arrow
 * functions, accessors — from its first line to its last.
 */
const MAX_LINES = 60;
const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
const EXEMPT = ["simulator", "bench", "demo"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith(".ts") ? [path.join(dir, entry.name)] : [],
  );
}

function longFunctions(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.end).line;
      const name = "name" in node && node.name ? node.name.getText(source) : ts.SyntaxKind[node.kind];
      if (last - first + 1 > MAX_LINES) found.push(`${path.relative(SRC, file)}:${first + 1} ${name} (${last - first + 1} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("function length", () => {
  it(`no function over ${MAX_LINES} lines outside ${EXEMPT.join(", ")}`, () => {
    const files = sourceFiles(SRC).filter((file) => !EXEMPT.includes(path.relative(SRC, file).split(path.sep)[0]!));
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap(longFunctions)).toEqual([]);
  });
});
