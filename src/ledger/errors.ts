import { StudioCampaignError, errnoCode } from "../errors.js";

/** A ledger that cannot be trusted: corrupt in the middle, or bound to another campaign. */
export class LedgerError extends StudioCampaignError {
  override readonly name = "LedgerError";

  constructor(message: string, options?: { cause?: unknown }) {
    super("LEDGER", message, options);
  }
}

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
