import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a build script in plain JavaScript, without types
import { buildConfig, emitFile } from "../../scripts/emit.mjs";

/**
 * The build writes each file's JavaScript on its own (scripts/emit.mjs, TypeScript's
 * `transpileModule`) and checks the types apart. That is tsc's output only while no file's
 * JavaScript depends on another file's types: what would make it so is refused here, and a sample
 * of files whose shapes differ (a file with no import or export, type-only imports, private
 * fields, classes, re-exports, top-level await, JSX-free generics) is compared with tsc's own
 * emit, byte for byte, source maps included.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SAMPLE = [
  "src/cli/main.ts",
  "src/clock.ts",
  "src/flow/answer-tally.ts",
  "src/engine/kinds/kind-of.ts",
  "src/opt-outs/postgres-opt-outs.ts",
  "src/ledger/postgres/postgres-ledger.ts",
  "src/contacts/raw-records.ts",
  "src/simulator/server.ts",
];

interface Config {
  options: ts.CompilerOptions;
  fileNames: string[];
}

describe("the build's emit (scripts/emit.mjs)", () => {
  const { options, fileNames } = buildConfig() as Config;

  it("no source file has what makes one file's JavaScript depend on another's types (enum, namespace, declare global)", () => {
    const found: string[] = [];
    for (const file of fileNames) {
      const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (ts.isEnumDeclaration(node) || ts.isModuleDeclaration(node))
          found.push(`${path.relative(ROOT, file)}: ${node.name.getText(source)}`);
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(found).toEqual([]);
    expect(options.verbatimModuleSyntax).toBe(true);
  });

  it("writes what tsc writes, JavaScript and source map, for files of every shape", () => {
    const files = SAMPLE.map((file) => path.join(ROOT, file));
    const program = ts.createProgram(files, { ...options, noResolve: true, noLib: true, types: [] });
    const tsc = new Map<string, string>();
    program.emit(undefined, (name, text) => tsc.set(name, text));
    for (const file of files) {
      const { js, outputText, sourceMapText } = emitFile(file, readFileSync(file, "utf8"), options);
      expect(outputText, file).toBe(tsc.get(js));
      expect(sourceMapText, file).toBe(tsc.get(`${js}.map`));
    }
  });
});
