import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import Bottleneck from "bottleneck";
import { Redis } from "ioredis";

const require = createRequire(import.meta.url);
const PATCH_MARKER = "studio-campaign patch";

/**
 * Bottleneck 2.19.5 cannot recover on Redis 7 without the patch in `patches/` (applied by
 * patch-package at `npm ci`): refuse to run clustered on an unpatched copy rather than find
 * out when Redis restarts mid-campaign.
 */
export function assertBottleneckPatched(): void {
  const source = readFileSync(require.resolve("bottleneck/lib/RedisDatastore.js"), "utf8");
  if (!source.includes(PATCH_MARKER)) {
    throw new Error(
      "bottleneck is not patched for Redis 7 (patches/bottleneck+2.19.5.patch): run `npm ci` or `npx patch-package` before using --redis",
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
