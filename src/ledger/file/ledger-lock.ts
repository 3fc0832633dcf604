import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { StudioCampaignError } from "../../errors.js";
import { ledgerFileError, LockHeldError, type LockHolder } from "../errors.js";
import { link, open, readFile, rename, stat, unlink, utimes } from "node:fs/promises";

/** A holder on another host that has not touched the lock for this long is presumed dead. */
export const STALE_AFTER_MS = 60_000;
const HEARTBEAT_MS = 10_000;

/**
 * One `run` per ledger (docs/reference.md §5). The lock file (`<ledger>.lock`, mode 0600) is created with
 * O_EXCL and names its holder. A lock whose holder is a dead process on this host, or whose
 * heartbeat stopped long ago, is taken over: moved aside atomically and checked to be the very
 * one judged stale, so that two takers cannot both win.
 */
export class LedgerLock {
  readonly #path: string;
  readonly #holder: LockHolder;
  readonly #heartbeat: NodeJS.Timeout;

  private constructor(path: string, holder: LockHolder) {
    this.#path = path;
    this.#holder = holder;
    this.#heartbeat = setInterval(() => {
      const now = new Date();
      utimes(path, now, now).catch(() => undefined);
    }, HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  static async acquire(ledgerPath: string): Promise<LedgerLock> {
    const path = `${ledgerPath}.lock`;
    const holder: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomUUID() };
    for (let tries = 0; tries < 3; tries++) {
      if (await createWithContent(path, holder)) return new LedgerLock(path, holder);
      const current = await readHolder(path);
      if (current === "gone") continue;
      if (current !== "unreadable" && !(await isStale(path, current))) throw new LockHeldError(path, current);
      if (current === "unreadable" && !(await isOld(path))) {
        // Being written right now by another starter: give it a moment.
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      await takeOver(path, current === "unreadable" ? undefined : current.token);
    }
    const current = await readHolder(path);
    if (typeof current === "object") throw new LockHeldError(path, current);
    throw new StudioCampaignError("LOCK_HELD", `${path}: could not take the lock (another run is starting): rerun`);
  }

  async release(): Promise<void> {
    clearInterval(this.#heartbeat);
    const current = await readHolder(this.#path);
    if (typeof current === "object" && current.token === this.#holder.token) await unlink(this.#path).catch(() => undefined);
  }
}

/**
 * Create the lock file with its holder already in it: written to a private file first, then
 * hard-linked into place (link fails with EEXIST when a lock exists). A lock file is never
 * seen empty, so a process killed while taking the lock leaves either no lock or a whole one
 * that names a dead pid — never an unreadable one that would block reruns for a minute.
 */
async function createWithContent(path: string, holder: LockHolder): Promise<boolean> {
  const draft = `${path}.${holder.token}.tmp`;
  try {
    const file = await open(draft, "wx", 0o600);
    try {
      await file.writeFile(JSON.stringify(holder));
      await file.sync();
    } finally {
      await file.close();
    }
    await link(draft, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw ledgerFileError(path, "create the ledger's lock", err);
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

async function readHolder(path: string): Promise<LockHolder | "gone" | "unreadable"> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as LockHolder;
    return typeof parsed.pid === "number" && typeof parsed.token === "string" ? parsed : "unreadable";
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT" ? "gone" : "unreadable";
  }
}

async function isStale(path: string, holder: LockHolder): Promise<boolean> {
  if (holder.host === hostname()) return !isAlive(holder.pid);
  return isOld(path);
}

async function isOld(path: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > STALE_AFTER_MS;
  } catch {
    return true;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Move the stale lock aside; if what we moved is not the one judged stale, put it back. */
async function takeOver(path: string, staleToken: string | undefined): Promise<void> {
  const aside = `${path}.stale-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  const moved = await readHolder(aside);
  const isTheStaleOne = staleToken === undefined ? typeof moved !== "object" : typeof moved === "object" && moved.token === staleToken;
  if (isTheStaleOne) await unlink(aside).catch(() => undefined);
  else await rename(aside, path).catch(() => undefined);
}
