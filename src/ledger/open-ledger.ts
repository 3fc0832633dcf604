import { LedgerError } from "./errors.js";
import type { CampaignHeader } from "./events.js";
import { applyEvent, emptyLedgerState, finishFold, type LedgerState } from "./fold.js";
import type { LedgerLockHandle, LedgerStore, LedgerWriter } from "./ledger-store.js";
import type { LedgerScan } from "./ledger-store.js";

export type LedgerBinding = Omit<CampaignHeader, "t" | "v" | "at">;

/** Read and fold a ledger (read-only: `validate`, `report`). */
export async function loadLedgerState(ledger: LedgerStore, scan?: LedgerScan): Promise<LedgerState> {
  const state = emptyLedgerState();
  for await (const batch of ledger.batches(scan)) for (const event of batch) applyEvent(state, event);
  finishFold(state);
  return state;
}

/**
 * Open a ledger to resume a campaign: fold what it holds, refuse one bound to another flow,
 * sender or account (docs/reference.md §5), cut a torn tail, and write the header of a new one.
 */
export async function openLedgerForRun(
  ledger: LedgerStore,
  binding: LedgerBinding,
  /** `lock`: the ledger's lock, held by the caller (its session appends). */
  options: { lock: LedgerLockHandle; now?: () => Date; loaded?: { state: LedgerState; scan: LedgerScan } },
): Promise<{ state: LedgerState; writer: LedgerWriter }> {
  const now = options.now ?? (() => new Date());
  const scan: LedgerScan = options.loaded?.scan ?? { validBytes: 0, tornTail: false };
  const state = options.loaded?.state ?? (await loadLedgerState(ledger, scan));
  if (state.header) assertBinding(ledger.label, state.header, binding);
  const writer = await options.lock.openWriter(scan.validBytes);
  if (!state.header) {
    const header: CampaignHeader = { t: "campaign", v: 1, ...binding, at: now().toISOString() };
    await writer.append(header);
    state.header = header;
  }
  return { state, writer };
}

export function assertBinding(file: string, header: CampaignHeader, binding: LedgerBinding): void {
  for (const key of ["flowSid", "from", "account"] as const) {
    if (header[key] !== binding[key]) {
      throw new LedgerError(
        `${file}: this ledger belongs to ${key} ${header[key]}, not ${binding[key]}; ` +
          "resuming would mix two campaigns (use another --ledger for a new campaign)",
      );
    }
  }
}
