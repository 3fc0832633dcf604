import { describe, expect, it } from "vitest";
import type { Client } from "pg";
import { parsePostgresLocation } from "../../src/ledger/postgres/postgres-connections.js";
import { refuseTransactionPooler } from "../../src/ledger/postgres/postgres-ledger.js";

describe("a PostgreSQL ledger location", () => {
  it.each([
    ["postgres://app@db.internal:5432/campaigns", "studio_campaign", "postgres://app@db.internal:5432/campaigns"],
    ["postgresql://app:s3cret@db:5432/c?schema=sms", "sms", "postgresql://app@db:5432/c"],
  ])("%s → schema %s, shown as %s (never the password)", (location, schema, label) => {
    const parsed = parsePostgresLocation(location);
    expect(parsed.schema).toBe(schema);
    expect(parsed.label).toBe(label);
    expect(parsed.config.options).toMatch(/synchronous_commit=on/);
    expect(parsed.config.options).toMatch(/tcp_keepalives_idle=10/);
    expect(parsed.config.keepAlive).toBe(true);
  });

  it("a schema that is not a plain name is refused without echoing it", () => {
    expect(() => parsePostgresLocation("postgres://a:pw@h/d?schema=x;drop")).toThrow(/plain SQL name/);
    expect(() => parsePostgresLocation("postgres://a:pw@h/d?schema=x;drop")).not.toThrow(/pw|drop/);
  });
});

/**
 * A transaction-mode pooler (PgBouncer) is told apart by its behaviour: one client connection's
 * statements run on different server processes. The stand-in below behaves that way; a real
 * PgBouncer is not among this machine's packages the tests install.
 */
describe("refuseTransactionPooler", () => {
  const client = (pids: number[]) => ({ query: async () => ({ rows: [{ pid: pids.shift() }] }) }) as unknown as Client;
  it("passes a direct session (one backend process)", async () => {
    await expect(refuseTransactionPooler(client([7, 7, 7]), "L")).resolves.toBeUndefined();
  });
  it("refuses a pooler in transaction mode, with what to do instead", async () => {
    await expect(refuseTransactionPooler(client([7, 8, 7]), "L")).rejects.toThrow(
      /pooler in transaction mode .* connect to PostgreSQL directly/,
    );
  });
});
