import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, onFreePort } from "../../src/bench/throwaway-postgres.js";

/**
 * The test servers' ports (PostgreSQL, Redis): chosen outside the kernel's range for outgoing
 * connections, where a client socket of any test could take a port between its choice and the
 * server's bind (a PostgreSQL start failed so, "Address already in use").
 */
describe("freePort", () => {
  it("is outside the kernel's range for outgoing connections, and free: a server binds it", async () => {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      expect(port < low! || port > high!, `${port} in ${low}-${high}`).toBe(true);
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", resolve);
      });
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("onFreePort: another port when the chosen one was taken before the server bound it", () => {
  const inUse = () => new Error("bind: Address already in use");
  it.each([
    ["taken once: the second port", [inUse()], 2, undefined],
    ["taken three times: the third error", [inUse(), inUse(), inUse()], 3, "Address already in use"],
    ["another failure: at once", [new Error("initdb failed")], 1, "initdb failed"],
    ["free: the first port", [], 1, undefined],
  ] as Array<[string, Error[], number, string | undefined]>)("%s", async (_name, failures, calls, thrown) => {
    const ports: number[] = [];
    const started = onFreePort((port) => {
      ports.push(port);
      const failure = failures[ports.length - 1];
      if (failure) throw failure;
      return `server on ${port}`;
    });
    if (thrown) await expect(started).rejects.toThrow(thrown);
    else expect(await started).toEqual({ port: ports.at(-1), server: `server on ${ports.at(-1)}` });
    expect(ports).toHaveLength(calls);
  });
});
