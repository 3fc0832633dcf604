import { Redis } from "ioredis";
import "./quiet-redis-debug.js"; // before ioredis logs: its debug output would print the password

/**
 * A daily message count shared through Redis (docs/reference.md §13): every campaign and worker that gives the
 * same `rate.capKey` — a 10DLC brand's cap is shared by all its campaigns — takes from one
 * count per day. Check and increment are one script, so two workers never pass the cap together.
 */
const TAKE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = tonumber(ARGV[1])
if used + n > tonumber(ARGV[2]) then return -1 - used end
used = redis.call('INCRBY', KEYS[1], n)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return used
`;

/** Kept two days past its day's end: a worker whose clock lags a little still finds the count. */
const KEEP_MS = 2 * 24 * 60 * 60_000;

export class RedisDailyCount {
  readonly #client: Redis;
  readonly #prefix: string;

  constructor(options: { url: string; key: string }) {
    this.#client = new Redis(options.url, { maxRetriesPerRequest: 3, lazyConnect: false });
    this.#client.on("error", () => undefined); // surfaced by the commands that fail
    this.#prefix = `studio-campaign:cap:${options.key}`;
  }

  /** Take `n` from `day`'s count unless that would pass `max`: `{ok, used}` (used after the take, or as it stands). */
  async take(day: string, n: number, max: number, dayEndsAt: number): Promise<{ ok: boolean; used: number }> {
    const ttl = Math.max(0, dayEndsAt - Date.now()) + KEEP_MS;
    const result = Number(await this.#client.eval(TAKE, 1, `${this.#prefix}:${day}`, n, max, ttl));
    return result < 0 ? { ok: false, used: -1 - result } : { ok: true, used: result };
  }

  async used(day: string): Promise<number> {
    return Number((await this.#client.get(`${this.#prefix}:${day}`)) ?? "0");
  }

  async close(): Promise<void> {
    this.#client.disconnect();
  }
}
