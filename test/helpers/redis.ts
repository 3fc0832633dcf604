import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { onFreePort } from "../../src/bench/throwaway-postgres.js";

export interface RedisServer {
  url: string;
  port: number;
  flushAll(): void;
  /** Stop without saving and start again on the same port: an empty Redis, as after a crash. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real redis-server on a free loopback port, owned by the test. It must be installed
 * (`npm test` installs Debian's redis-server when missing): a missing binary fails the test,
 * never skips it.
 */
export async function startRedis(options: { password?: string } = {}): Promise<RedisServer> {
  const extra = options.password === undefined ? [] : ["--requirepass", options.password];
  const { port, server } = await onFreePort((free) => launch(free, extra));
  let child: ChildProcess = server;
  const auth = options.password === undefined ? [] : ["--no-auth-warning", "-a", options.password];
  const cli = (...args: string[]) => spawnSync("redis-cli", ["-p", String(port), ...auth, ...args], { encoding: "utf8" });
  return {
    url:
      options.password === undefined ? `redis://127.0.0.1:${port}` : `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}`,
    port,
    flushAll: () => {
      const result = cli("FLUSHALL");
      if (result.stdout.trim() !== "OK") throw new Error(`FLUSHALL failed: ${result.stdout}${result.stderr}`);
    },
    restart: async () => {
      await stopChild(child);
      child = await launch(port, extra);
    },
    stop: () => stopChild(child),
  };
}

async function launch(port: number, extra: string[]): Promise<ChildProcess> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extra];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let output = "";
    child.once("error", reject);
    child.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
      if (output.includes("Ready to accept connections")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}
