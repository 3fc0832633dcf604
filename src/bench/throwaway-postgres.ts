import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust on loopback: the cluster is the test's own). */
  url: string;
  port: number;
  /** `pg_ctl stop -m immediate`: as a crash, no shutdown checkpoint. */
  crash(): void;
  start(): void;
  stop(): void;
}

/** Debian's PostgreSQL binaries (`npm test` installs the `postgresql` package when they are missing). */
export function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => path.join(root, v, "bin")).find((dir) => existsSync(path.join(dir, "initdb")));
  if (!found) throw new Error("PostgreSQL is not installed (Debian: apt-get install postgresql; npm test installs it as root)");
  return found;
}

/**
 * A temp folder the `postgres` user can reach: the cluster runs as that user, and a private
 * TMPDIR (a 0700 folder of root's) would leave it "Permission denied" on its own data folder.
 * TMPDIR when every folder on its path can be passed through by others, else /tmp, else /var/tmp.
 */
function reachableByOthers(): string {
  const passable = (dir: string): boolean => {
    for (let at = path.resolve(dir); ; at = path.dirname(at)) {
      try {
        if ((statSync(at).mode & 0o001) === 0) return false;
      } catch {
        return false;
      }
      if (at === path.dirname(at)) return true;
    }
  };
  const found = [tmpdir(), "/tmp", "/var/tmp"].find(passable);
  if (!found) throw new Error("no temp folder the postgres user can reach (TMPDIR, /tmp and /var/tmp are all private)");
  return found;
}

/** A free loopback port (the test servers: PostgreSQL, Redis). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A throwaway cluster in a temp folder on a free loopback port, owned by its caller (a test, the bench): `initdb` and
 * `pg_ctl`, run as the `postgres` user when the test runs as root (the server refuses root).
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  const port = await freePort();
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const dir = mkdtempSync(path.join(asRoot ? reachableByOthers() : tmpdir(), "studio-campaign-pg-"));
  const data = path.join(dir, "data");
  if (asRoot) {
    const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const run = (tool: string, args: string[]) => {
    const command = asRoot ? "runuser" : path.join(bin, tool);
    const argv = asRoot ? ["-u", "postgres", "--", path.join(bin, tool), ...args] : args;
    const result = spawnSync(command, argv, { encoding: "utf8", cwd: dir });
    if (result.status !== 0) throw new Error(`${tool} ${args.join(" ")} failed: ${result.stdout}${result.stderr}`);
  };
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200`;
  const start = () => run("pg_ctl", ["-D", data, "-o", options, "-l", path.join(dir, "log"), "-w", "-t", "60", "start"]);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    crash: () => run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]),
    start,
    stop: () => {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
