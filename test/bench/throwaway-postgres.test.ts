import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/bench/throwaway-postgres.js";

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
