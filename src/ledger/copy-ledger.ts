import { CampaignInputError } from "../errors.js";
import type { LedgerEvent } from "./events.js";
import { openLedgerStore } from "./open-store.js";
import { isPostgresUrl } from "./postgres/postgres-connections.js";

/** Events appended per group commit while copying. */
const COPY_BATCH = 2_000;

/**
 * `studio-campaign ledger copy FROM TO` (docs/reference.md §15): a ledger file into PostgreSQL, or back, event
 * for event and in order, so that a campaign resumes from the copy with nothing sent twice. The
 * target is locked while it is written and must not hold that campaign yet; its checkpoint is
 * made by the next run. Returns what was copied, for the operator.
 */
export async function copyLedger(
  from: string,
  to: string,
  campaign?: string,
): Promise<{ events: number; campaign: string; from: string; to: string }> {
  for (const location of [from, to]) {
    if (isPostgresUrl(location) && new URL(location).password !== "")
      throw new CampaignInputError("the PostgreSQL URL must not carry a password: give it in PGPASSWORD or ~/.pgpass");
  }
  const name = campaign ?? (await campaignNameOf(from));
  const source = openLedgerStore(from, name);
  const target = openLedgerStore(to, name);
  if (!(await source.exists())) throw new CampaignInputError(`${source.label}: no such ledger`);
  const lock = await target.lock();
  try {
    if (await target.exists()) throw new CampaignInputError(`${target.label} already holds this campaign's ledger: nothing copied`);
    const writer = await lock.openWriter(undefined);
    let events = 0;
    try {
      for await (const batch of source.batches()) {
        for (let i = 0; i < batch.length; i += COPY_BATCH) {
          await Promise.all(batch.slice(i, i + COPY_BATCH).map((event) => writer.append(event)));
          events += Math.min(COPY_BATCH, batch.length - i);
        }
      }
    } finally {
      await writer.close();
    }
    return { events, campaign: name, from: source.label, to: target.label };
  } finally {
    await lock.release();
  }
}

/** A file ledger names its campaign in its first line. */
async function campaignNameOf(location: string): Promise<string> {
  if (isPostgresUrl(location)) throw new CampaignInputError("--campaign NAME is needed to copy from PostgreSQL (it holds many campaigns)");
  for await (const batch of openLedgerStore(location, "").batches()) {
    const header = batch.find((e): e is Extract<LedgerEvent, { t: "campaign" }> => e.t === "campaign");
    if (header) return header.name;
    break;
  }
  throw new CampaignInputError(`${location}: not a ledger (no campaign header on its first line)`);
}
