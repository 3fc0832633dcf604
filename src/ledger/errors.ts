/** A ledger that cannot be trusted: corrupt in the middle, or bound to another campaign. */
export class LedgerError extends Error {
  override readonly name = "LedgerError";
  readonly code = "LEDGER";
}
