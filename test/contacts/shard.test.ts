import { describe, expect, it } from "vitest";
import { isOtherShardsRow, parseShard, type ShardSpec } from "../../src/contacts/shard.js";
import type { RowVerdict } from "../../src/contacts/contact.js";

const FROM = "+15017122661";
const sendable = (to: string): RowVerdict => ({
  status: "sendable",
  contact: { row: 1, to, from: FROM, parameters: {}, zones: undefined, notAfter: undefined },
});
const invalid = (to: string): RowVerdict => ({ status: "invalid", row: 1, to, from: FROM, reason: "r" });
const shard = (index: number, count: number): ShardSpec => ({ index, count });

describe("parseShard: --shard K/N", () => {
  it.each([
    ["1/2", { index: 1, count: 2 }],
    ["2/2", { index: 2, count: 2 }],
    [" 3/4 ", { index: 3, count: 4 }],
    ["1/1", { index: 1, count: 1 }],
    ["0/2", undefined],
    ["3/2", undefined],
    ["1/0", undefined],
    ["1-2", undefined],
    ["a/b", undefined],
    ["", undefined],
  ] as const)("%j → %j", (text, expected) => {
    expect(parseShard(text)).toEqual(expected);
  });
});

describe("isOtherShardsRow: the shard rule", () => {
  // Pinned: the hash must give every machine and Node version the same answer, or a sharded
  // campaign resumed elsewhere would send a contact from two shards.
  it.each([
    ["no --shard: no row is another's", sendable("+14155551000"), undefined, false],
    ["--shard 1/1: every row is this shard's", sendable("+14155551000"), shard(1, 1), false],
    ["+14155551005 is shard 1 of 2", sendable("+14155551005"), shard(1, 2), false],
    ["+14155551005 is not shard 2 of 2", sendable("+14155551005"), shard(2, 2), true],
    ["+14155551000 is shard 2 of 2", sendable("+14155551000"), shard(2, 2), false],
    ["+14155551000 is shard 3 of 3", sendable("+14155551000"), shard(3, 3), false],
    ["+14155551004 is shard 1 of 3", sendable("+14155551004"), shard(1, 3), false],
    ["+14155551004 is not shard 2 of 3", sendable("+14155551004"), shard(2, 3), true],
    ["a row with no To at all is shard 1's", invalid(""), shard(1, 3), false],
    ["… and no other shard's", invalid(""), shard(2, 3), true],
    ["an invalid row with a To goes by its key, like any row", invalid("+14155551005"), shard(1, 2), false],
  ] as const)("%s", (_name, verdict, spec, expected) => {
    expect(isOtherShardsRow(verdict, spec)).toBe(expected);
  });

  it.each([2, 3, 5])("every contact is exactly one shard's of %i", (count) => {
    for (let i = 0; i < 300; i++) {
      const verdict = sendable(`+1415555${String(1000 + i)}`);
      const owners = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !isOtherShardsRow(verdict, shard(k, count)));
      expect(owners).toHaveLength(1);
    }
  });
});
