// `node --import ./record-modules.mjs …` with RECORD_MODULES=<file>: every module the process
// loads, one path a line — ES modules as they resolve (a hook), CommonJS ones at exit.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const out = process.env.RECORD_MODULES;
if (out) {
  const hooks = `
    import { appendFileSync } from "node:fs";
    let out;
    export function initialize(data) { out = data.out; }
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      if (resolved.url.startsWith("file:")) appendFileSync(out, new URL(resolved.url).pathname + "\\n");
      return resolved;
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { out } });
  const cache = createRequire(import.meta.url).cache;
  process.on("exit", () => appendFileSync(out, Object.keys(cache).join("\n") + "\n"));
}
