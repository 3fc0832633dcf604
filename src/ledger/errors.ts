import { StudioCampaignError, errnoCode } from "../errors.js";

/** A ledger that cannot be trusted: corrupt in the middle, or bound to another campaign. */
export class LedgerError extends StudioCampaignError {
  override readonly name = "LedgerError";

  constructor(message: string, options?: { cause?: unknown }) {
    super("LEDGER", message, options);
  }
}

/**
 * A write (or sync) of the ledger failed mid-run — the disk is full (ENOSPC), a file-size limit
 * (EFBIG), an I/O error (EIO): the operator frees space or fixes the disk and runs again (exit 75).
 * What was not written was not sent: an attempt is on disk before its request leaves.
 */
export class LedgerIoError extends StudioCampaignError {
  override readonly name = "LedgerIoError";

  constructor(file: string, action: string, cause: unknown) {
    const code = errnoCode(cause) ?? (cause instanceof Error ? cause.message : String(cause));
    const hint = IO_HINTS[code] ?? code;
    super(
      "LEDGER_IO",
      `${file}: the ledger could not ${action} (${hint}): nothing more was sent and the rest stays pending; ` + `fix it and run again`,
      { cause },
    );
  }
}

const IO_HINTS: Record<string, string> = {
  ENOSPC: "ENOSPC: no space left on the device",
  EDQUOT: "EDQUOT: disk quota exceeded",
  EFBIG: "EFBIG: file too large for this process's limit",
  EIO: "EIO: input/output error",
};

/**
 * A ledger or lock file the file system refused (missing folder, no permission, read-only):
 * a person must fix it, so it is a LedgerError (exit 2), naming the file and the reason.
 */
export function ledgerFileError(file: string, action: string, cause: unknown): LedgerError {
  const code = errnoCode(cause) ?? (cause instanceof Error ? cause.message : String(cause));
  const hint =
    code === "ENOENT"
      ? "its folder does not exist"
      : code === "EACCES" || code === "EPERM"
        ? "no permission"
        : code === "EROFS"
          ? "read-only file system"
          : code === "EISDIR"
            ? "it is a folder"
            : code;
  return new LedgerError(`${file}: cannot ${action} (${hint}): the ledger's folder must exist and be writable by this user`, { cause });
}

/** Who holds a ledger's lock: shown when a second run is refused. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  token: string;
}

export class LockHeldError extends StudioCampaignError {
  override readonly name = "LockHeldError";
  readonly holder: LockHolder;

  constructor(lockPath: string, holder: LockHolder) {
    super(
      "LOCK_HELD",
      `${lockPath} is held by pid ${holder.pid} on ${holder.host} since ${holder.since}: another run is working on this ledger`,
    );
    this.holder = holder;
  }
}
