#!/usr/bin/env node
// `npm run build`: src/*.ts → dist/*.js (+ source maps), file by file, as tsc emits them, without
// type-checking on the way (`npm run build` checks the types after, `npm test` in parallel with
// the build: the check is the slow part, ~8 s, and it was done twice). The project's settings
// make this safe: `verbatimModuleSyntax` (an import is kept or dropped as written) and no
// `const enum` or namespace across files, so each file's JavaScript depends on that file alone —
// TypeScript's `transpileModule` then writes what tsc would (the same bytes; checked by
// test/project/emit.test.ts). Every file is an ES module, as under `"type": "module"` and
// NodeNext. Imports as written (`./x.js`) are left alone.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The build's compiler options and files (tsconfig.build.json), as tsc reads them. */
export function buildConfig(configPath = path.join(root, "tsconfig.build.json")) {
  const host = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, host);
  if (!parsed) throw new Error(`${configPath}: could not be read`);
  return parsed;
}

/** One file's JavaScript and source map, written where tsc would write them (relative to `rootDir`, under `outDir`). */
export function emitFile(file, text, options) {
  const compilerOptions = {
    ...options,
    // NodeNext decides a file's format from package.json, which transpileModule does not read:
    // every file here is an ES module (`"type": "module"`), so say so.
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
  };
  const { outputText, sourceMapText } = ts.transpileModule(text, { compilerOptions, fileName: file, reportDiagnostics: false });
  const js = path.join(options.outDir, path.relative(options.rootDir, file)).replace(/\.ts$/, ".js");
  return { js, outputText, sourceMapText };
}

export async function emitAll({ outDir } = {}) {
  const { options, fileNames } = buildConfig();
  const settings = outDir === undefined ? options : { ...options, outDir };
  await Promise.all(
    fileNames.map(async (file) => {
      const { js, outputText, sourceMapText } = emitFile(file, await readFile(file, "utf8"), settings);
      await mkdir(path.dirname(js), { recursive: true });
      await writeFile(js, outputText);
      if (sourceMapText !== undefined) await writeFile(`${js}.map`, sourceMapText);
    }),
  );
  return fileNames.length;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await emitAll();
