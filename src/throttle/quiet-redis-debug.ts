import { createRequire } from "node:module";

/**
 * ioredis logs every command through the `debug` package when `DEBUG` names it (`DEBUG=*`
 * does), `auth([ '<password>' ])` included, for a `redis://:password@host` URL. No secret may
 * reach output (docs/reference.md §2), so ioredis's namespaces are switched off before it loads; the rest
 * of `DEBUG` is kept. `debug` reads `DEBUG` once, when first loaded: hence this module runs
 * before `ioredis` is imported, and also re-enables the running instance's namespaces.
 */
const QUIET = "-ioredis:*";

function withoutIoredis(namespaces: string): string {
  return namespaces.trim() === "" ? "" : `${namespaces},${QUIET}`;
}

const debugNamespaces = process.env.DEBUG ?? "";
if (debugNamespaces.trim() !== "") {
  process.env.DEBUG = withoutIoredis(debugNamespaces);
  try {
    // The `debug` that ioredis itself resolves.
    const require = createRequire(createRequire(import.meta.url).resolve("ioredis"));
    const debug = require("debug") as { enable(namespaces: string): void };
    debug.enable(withoutIoredis(debugNamespaces));
  } catch {
    // No `debug` installed: ioredis then logs nothing either.
  }
}
