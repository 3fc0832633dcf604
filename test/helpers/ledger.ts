import type { LedgerStore, LedgerWriter } from "../../src/ledger/ledger-store.js";
import type { LedgerState } from "../../src/ledger/fold.js";
import { openLedgerForRun, type LedgerBinding } from "../../src/ledger/open-ledger.js";

/** A ledger opened as a run opens it: under its lock, which is released when the writer closes (or when opening fails). */
export async function openLocked(store: LedgerStore, binding: LedgerBinding): Promise<{ state: LedgerState; writer: LedgerWriter }> {
  const lock = await store.lock();
  try {
    const { state, writer } = await openLedgerForRun(store, binding, { lock });
    const close = writer.close.bind(writer);
    return {
      state,
      writer: Object.assign(writer, {
        close: async () => {
          await close();
          await lock.release();
        },
      }),
    };
  } catch (err) {
    await lock.release();
    throw err;
  }
}
