import { describe, expect, it } from "vitest";
import { RowCache, RowCacheBuilder } from "../../../src/engine/standing/row-cache.js";

/** The rows a standing tick leaves to the next, as stored (docs/reference.md §16). */
describe("a standing tick's row cache", () => {
  const round = (next: RowCacheBuilder) => {
    const { text, data } = next.encode({ fingerprint: "f", header: 1, ledgerEnd: 10, ledger: { head: "h", tail: "t" } });
    return RowCache.decode(text, Buffer.concat(data))!;
  };

  it("finds each row by its hash, after growing past its first size", () => {
    const next = new RowCacheBuilder(1);
    for (let i = 1; i <= 5000; i++) next.add(i * 7919, { kind: "later", appointment: i, times: [i, i + 1] });
    const cache = round(next);
    expect(cache.size).toBe(5000);
    const row = cache.find(4321 * 7919);
    expect(row).toMatchObject({ appointment: 4321, count: 1, wake: 4321 });
    if (row?.kind === "later") expect(row.times[row.at]).toBe(4321);
    expect(cache.find(5001 * 7919)).toBeUndefined();
  });

  it("reads its numbers where they lie when aligned, and copies them when not", () => {
    const next = new RowCacheBuilder(1);
    next.add(42, { kind: "later", appointment: 7, times: [1, 2] });
    const { text, data } = next.encode({ fingerprint: "f", header: 1, ledgerEnd: 10, ledger: { head: "h", tail: "t" } });
    const bytes = Buffer.concat(data);
    const aligned = new Uint8Array(new ArrayBuffer(bytes.length));
    aligned.set(bytes);
    const misaligned = new Uint8Array(new ArrayBuffer(bytes.length + 1), 1);
    misaligned.set(bytes);
    for (const at of [aligned, misaligned]) expect(RowCache.decode(text, at)?.find(42)).toMatchObject({ appointment: 7 });
  });

  it("two rows of one export with the same bytes: neither is taken from it", () => {
    const next = new RowCacheBuilder(1);
    next.add(42, { kind: "later", appointment: 1, times: [1, 2] });
    next.add(42, { kind: "later", appointment: 2, times: [1, 2] });
    next.add(43, { kind: "later", appointment: 3, times: [1, 2] });
    const cache = round(next);
    expect(cache.find(42)).toBeUndefined();
    expect(cache.find(43)).toMatchObject({ appointment: 3 });
  });

  it("a note of another shape is no cache (never an error)", () => {
    const { text, data: parts } = new RowCacheBuilder(2).encode({
      fingerprint: "f",
      header: 1,
      ledgerEnd: 10,
      ledger: { head: "h", tail: "t" },
    });
    const data = Buffer.concat(parts);
    expect(RowCache.decode(text, data)?.size).toBe(0);
    expect(RowCache.decode("not json", data)).toBeUndefined();
    expect(RowCache.decode(text, new Uint8Array(3))).toBeUndefined();
    expect(RowCache.decode(JSON.stringify({ v: 2, keys: [] }), data)).toBeUndefined();
  });
});
