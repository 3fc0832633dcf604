import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * The window gate shared by every worker on the account: at most `perWindow` starts in any
 * `windowMs`, counted in one Redis sorted set with **Redis's** clock, checked and recorded in
 * one atomic script right before a request leaves. Bottleneck's clustered spacing grants
 * starts in Redis, but each worker starts after its own round trip and event-loop delay, and
 * no local gate sees the other workers; this check does, so the pacing margin can be small.
 * (Scripts may call TIME since Redis 5: effects replication.)
 */
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local windowMs = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], windowMs * 2)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + windowMs - now)
`;

export class RedisWindowGate {
  readonly #client: Redis;
  readonly #key: string;
  readonly #perWindow: number;
  readonly #windowMs: number;

  constructor(options: { client: Redis; key: string; perWindow: number; windowMs: number }) {
    this.#client = options.client;
    this.#key = options.key;
    this.#perWindow = Math.max(1, Math.floor(options.perWindow));
    this.#windowMs = Math.ceil(options.windowMs);
  }

  /** Waits, if need be, until the shared window has room, and records this start in it. */
  async pass(): Promise<void> {
    const member = randomUUID();
    for (;;) {
      const wait = Number(await this.#client.eval(SCRIPT, 1, this.#key, this.#windowMs, this.#perWindow, member));
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
