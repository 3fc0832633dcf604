import { createRequire } from "node:module";
import type { Pool as UndiciPool } from "undici";

const require = createRequire(import.meta.url);

/**
 * undici's `Pool` with its request API, without the rest of the package. `import "undici"` loads
 * fetch, WebSocket, EventSource, cookies, caches and mocks: ~110 ms at the start of every run
 * that sends (BENCHMARKS.md), where the client needs a Pool (~35 ms). These are the
 * files undici's own index.js assembles (`lib/dispatcher/pool.js`, and `lib/api` assigned onto
 * `Dispatcher.prototype`); undici has no `exports` map, so they resolve like the package does.
 * A copy laid out otherwise gets the whole package, as before.
 */
export function loadPool(): typeof UndiciPool {
  try {
    const Pool = require("undici/lib/dispatcher/pool.js") as typeof UndiciPool;
    const Dispatcher = require("undici/lib/dispatcher/dispatcher.js") as { prototype: Record<string, unknown> };
    if (typeof Dispatcher.prototype.request !== "function") Object.assign(Dispatcher.prototype, require("undici/lib/api/index.js"));
    if (typeof Pool.prototype.request === "function") return Pool;
  } catch {
    // another layout: the whole package below
  }
  return (require("undici") as typeof import("undici")).Pool;
}
