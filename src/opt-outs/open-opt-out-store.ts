import type { OptOutStore } from "./opt-out-store.js";

/**
 * The list at `location`: a `postgres://` URL keeps it in that database's `opt_outs` table
 * (docs/reference.md §12: where the ledger is shared, so is the list), anything else is a file path.
 */
export async function openOptOutStore(location: string, options: { defaultRegion: string | undefined }): Promise<OptOutStore> {
  if (/^postgres(ql)?:\/\//i.test(location)) {
    const { PostgresOptOutStore } = await import("./postgres-opt-outs.js");
    return new PostgresOptOutStore(location);
  }
  const { FileOptOutStore } = await import("./opt-out-file.js");
  return new FileOptOutStore(location, options.defaultRegion);
}
