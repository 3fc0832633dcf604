import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import "./quiet-redis-debug.js"; // before ioredis loads: its debug log would print the password
import Bottleneck from "bottleneck";
import { Redis } from "ioredis";
import { StudioCampaignError } from "../errors.js";

const require = createRequire(import.meta.url);
const PATCH_MARKER = "studio-campaign patch";

/**
 * Bottleneck 2.19.5 cannot recover on Redis 7 without the patch in `patches/` (applied by
 * patch-package at build time and bundled into the package): refuse to run clustered on an unpatched copy rather than find
 * out when Redis restarts mid-campaign.
 */
export function assertBottleneckPatched(
  readSource: (file: string) => string = (file) => readFileSync(require.resolve(file), "utf8"),
): void {
  const patched = ["bottleneck/lib/RedisDatastore.js", "bottleneck/lib/LocalDatastore.js"].every((file) =>
    readSource(file).includes(PATCH_MARKER),
  );
  if (!patched) {
    throw new StudioCampaignError(
      "BROKEN_INSTALL",
      "this copy of bottleneck lacks the reviewed Redis 7 fixes (patches/bottleneck+2.19.5.patch): reinstall studio-campaign " +
        "from its package, or run `npm run build` in a checkout",
    );
  }
}

/** An ioredis connection for Bottleneck from a `redis://` or `rediss://` URL. */
export function connectRedis(url: string): { connection: Bottleneck.IORedisConnection; client: Redis } {
  const client = new Redis(url, {
    // Commands wait through a short Redis restart instead of failing at once.
    maxRetriesPerRequest: 50,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
    lazyConnect: false,
  });
  const connection = new Bottleneck.IORedisConnection({ client } as unknown as Bottleneck.IORedisConnectionOptions);
  return { connection, client };
}
