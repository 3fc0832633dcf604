import type { LedgerStore } from "../ledger/ledger-store.js";
import { ExitCode, ExitError } from "./exit-codes.js";

/**
 * `report`, `status`, `end` and `results` read a ledger that must exist: a typo in `--ledger`, or
 * a campaign never run, is exit 2 naming it — never an empty report that says "0 rows".
 */
export async function assertLedgerExists(ledger: LedgerStore): Promise<void> {
  if (!(await ledger.exists()))
    throw new ExitError(ExitCode.usage, `${ledger.label}: no such ledger: check --ledger, or run the campaign first`);
}
