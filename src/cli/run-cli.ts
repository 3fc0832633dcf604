import { StudioCampaignError } from "../errors.js";
import { buildCli, UsageError } from "./build-cli.js";
import { ExitCode, ExitError, exitCodeForError } from "./exit-codes.js";
import { withLedgerStores } from "../ledger/open-store.js";
import { isDebugging } from "./debug.js";

/** Stacks only on request: `DEBUG=studio-campaign` (or `DEBUG=*`). */
const showStacks = () => isDebugging("studio-campaign");

/**
 * The CLI as a function: runs one command line and returns its exit code (docs/reference.md §7). The only
 * place that turns errors into exit codes and messages; `main.ts` is its process shell, and tests
 * call it in-process.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    // The stores the command opens are its own (several calls at once in tests share none), ended with it.
    await withLedgerStores(async () => (await buildCli([...argv])).parseAsync());
    return ExitCode.ok;
  } catch (err) {
    process.stderr.write(describe(err));
    return err instanceof UsageError ? ExitCode.usage : exitCodeForError(err);
  }
}

function describe(err: unknown): string {
  if (err instanceof UsageError) return `studio-campaign: ${err.message}\nRun with --help for usage.\n`;
  if (err instanceof ExitError) return err.message ? `studio-campaign: ${err.message}\n` : "";
  const stack = showStacks() && err instanceof Error ? `\n${err.stack ?? ""}` : "";
  if (err instanceof StudioCampaignError) return `studio-campaign: ${err.message}${stack}\n`;
  const message = err instanceof Error ? err.message : String(err);
  return `studio-campaign: internal error: ${message}${showStacks() ? stack : " (DEBUG=studio-campaign shows the stack)"}\n`;
}
