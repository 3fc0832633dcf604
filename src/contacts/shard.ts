import { createHash } from "node:crypto";
import type { RowVerdict } from "./contact.js";
import { unitKey } from "./unit.js";

/** `--shard K/N`: shard K (1-based) of N. */
export interface ShardSpec {
  index: number;
  count: number;
}

export function parseShard(text: string): ShardSpec | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return count >= 1 && index >= 1 && index <= count ? { index, count } : undefined;
}

/** A stable hash of the contact key (the same on every machine and Node version). */
export function inShard(key: string, shard: ShardSpec): boolean {
  if (shard.count === 1) return true;
  const hash = createHash("sha256").update(key).digest().readUInt32BE(0);
  return (hash % shard.count) + 1 === shard.index;
}

/**
 * Is this CSV row another shard's? By its contact key (the To and From as the row has them,
 * an invalid row's too); a row with no To at all belongs to shard 1. Either way exactly one
 * shard reports it. Without `--shard`, never.
 */
export function isOtherShardsRow(verdict: RowVerdict, shard: ShardSpec | undefined): boolean {
  if (shard === undefined) return false;
  // A standing campaign shards by appointment key (docs/reference.md §16): every reminder of an appointment in one shard.
  const appointmentKey = verdict.status === "sendable" ? verdict.contact.appointment?.key : verdict.shardKey;
  if (appointmentKey !== undefined) return !inShard(appointmentKey, shard);
  const { to, from } = verdict.status === "sendable" ? verdict.contact : verdict;
  return to === "" ? shard.index !== 1 : !inShard(unitKey({ to, from }), shard);
}
