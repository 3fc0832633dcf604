import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
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

/**
 * The kernel's range of ports for outgoing connections (Linux: /proc/sys/net/ipv4/ip_local_port_range,
 * 32768-60999 by default). A server's port is chosen below it: a port the kernel handed out with
 * `listen(0)` is in that range, and any client socket opened before the server binds it may take it
 * (seen: PostgreSQL's "could not bind ... Address already in use" a second after initdb).
 */
function ephemeralPorts(): [number, number] {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (low! > 0 && high! >= low!) return [low!, high!];
  } catch {
    // not Linux: its usual range
  }
  return [32768, 60999];
}

/** A port free on loopback now, outside the range of ports for outgoing connections (the test servers: PostgreSQL, Redis). */
export async function freePort(): Promise<number> {
  const [low, high] = ephemeralPorts();
  const [from, to] = low > 11_000 ? [10_000, low - 1] : [high + 1, 65_535];
  for (let tries = 0; tries < 100; tries++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (!bound) continue;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }
  throw new Error(`no free loopback port between ${from} and ${to}`);
}

/**
 * `listen` on a free port: another port when the one chosen was taken before the server bound it
 * ("Address already in use", by another test's server), three tries.
 */
export async function onFreePort<T>(listen: (port: number) => Promise<T> | T): Promise<{ port: number; server: T }> {
  for (let tries = 1; ; tries++) {
    const port = await freePort();
    try {
      return { port, server: await listen(port) };
    } catch (error) {
      if (tries === 3 || !String(error).includes("Address already in use")) throw error;
    }
  }
}

/** How initdb makes a cluster here: trust on loopback (the cluster is the test's own), UTF-8. */
const INITDB_ARGS = ["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"];
/** Written into a template once initdb finished in it: a folder without it is not one. */
const TEMPLATE_MADE = "studio-campaign-template";

/** Runs a PostgreSQL tool, as the `postgres` user when this process is root (the server refuses root). */
type Runner = (tool: string, args: string[], cwd: string) => void;

function runnerFor(bin: string, asRoot: boolean): Runner {
  return (tool, args, cwd) => {
    const command = asRoot ? "runuser" : path.join(bin, tool);
    const argv = asRoot ? ["-u", "postgres", "--", path.join(bin, tool), ...args] : args;
    const result = spawnSync(command, argv, { encoding: "utf8", cwd });
    if (result.status !== 0) throw new Error(`${tool} ${args.join(" ")} failed: ${result.stdout}${result.stderr}`);
  };
}

/** A temp folder for a cluster: the `postgres` user's, 0700, when this process is root. */
function clusterFolder(asRoot: boolean, prefix: string): string {
  const dir = mkdtempSync(path.join(asRoot ? reachableByOthers() : tmpdir(), prefix));
  if (asRoot) {
    const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  return dir;
}

/**
 * A cluster as initdb makes it, made once per PostgreSQL version and user and copied for each
 * throwaway cluster: initdb took ~1 s of CPU (and blocked its test file) four times a suite, a copy
 * takes ~0.1 s. Made in a folder of its own and renamed into place, so that files starting at once
 * never see half of one; undefined when it cannot be made (each cluster then runs initdb).
 */
function clusterTemplate(bin: string, asRoot: boolean, run: Runner): string | undefined {
  const version = path.basename(path.dirname(bin));
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  // Named by how it was made too: another initdb setting makes another template, never reuses this one.
  const made = createHash("sha256").update(JSON.stringify(INITDB_ARGS)).digest("hex").slice(0, 8);
  const template = path.join(asRoot ? reachableByOthers() : tmpdir(), `studio-campaign-pg-template-${version}-${uid}-${made}`);
  if (existsSync(path.join(template, "data", TEMPLATE_MADE))) return template;
  const making = clusterFolder(asRoot, `studio-campaign-pg-template-${version}-`);
  try {
    run("initdb", ["-D", path.join(making, "data"), ...INITDB_ARGS], making);
    writeFileSync(path.join(making, "data", TEMPLATE_MADE), "");
    renameSync(making, template);
  } catch {
    rmSync(making, { recursive: true, force: true }); // another file made it first, or initdb failed
  }
  return existsSync(path.join(template, "data", TEMPLATE_MADE)) ? template : undefined;
}

/**
 * A throwaway cluster in a temp folder on a free loopback port, owned by its caller (a test, the bench): a copy
 * of the template (else `initdb`) and `pg_ctl`, run as the `postgres` user when the test runs as root.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const run = runnerFor(bin, asRoot);
  const dir = clusterFolder(asRoot, "studio-campaign-pg-");
  const data = path.join(dir, "data");
  const template = clusterTemplate(bin, asRoot, run);
  if (template) {
    const copied = spawnSync("cp", ["-a", path.join(template, "data"), data], { encoding: "utf8" });
    if (copied.status !== 0) throw new Error(`cp -a ${template}/data ${data} failed: ${copied.stderr}`);
    rmSync(path.join(data, TEMPLATE_MADE));
  } else run("initdb", ["-D", data, ...INITDB_ARGS], dir);
  let port = 0;
  const start = () => {
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200`;
    run("pg_ctl", ["-D", data, "-o", options, "-l", path.join(dir, "log"), "-w", "-t", "60", "start"], dir);
  };
  const logged = () => (existsSync(path.join(dir, "log")) ? readFileSync(path.join(dir, "log"), "utf8") : "");
  try {
    await onFreePort((free) => {
      port = free;
      const before = logged().length;
      try {
        start();
      } catch (error) {
        throw new Error(`${(error as Error).message}\nits log:\n${logged().slice(before).slice(-2_000)}`); // this start's lines
      }
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const stop = () => run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"], dir);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    crash: stop,
    start,
    stop: () => {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
