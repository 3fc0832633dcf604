import type { Campaign } from "../campaign/campaign.js";
import { readCampaignExecutions, type CreatedExecution } from "../campaign/results/created-executions.js";
import { campaignLedger } from "../campaign/campaign-ledger.js";
import type { LedgerWriter } from "../ledger/ledger-store.js";
import { openLedgerForRun } from "../ledger/open-ledger.js";
import { StudioClient } from "../studio/client.js";
import type { Credentials } from "../studio/credentials.js";
import { assertLedgerExists } from "./ledger-assert.js";

export interface LedgerSession {
  client: StudioClient;
  writer: LedgerWriter;
  executions: Map<string, CreatedExecution>;
  /** The flow's questions as the latest preflight recorded them. */
  questions: string[] | undefined;
}

/**
 * For `status`, `end` and `results`: hold the ledger's lock, check its binding, and read the Executions
 * this campaign created. Closes everything when `work` is done.
 */
export async function withLedgerSession<T>(
  campaign: Campaign,
  credentials: Credentials,
  /** Studio's base URL, and Programmable Messaging's (for `results`' Message fetches). */
  urls: { studio: string; api?: string | undefined },
  work: (session: LedgerSession) => Promise<T>,
): Promise<T> {
  const ledger = campaignLedger(campaign);
  await assertLedgerExists(ledger);
  const lock = await ledger.lock();
  try {
    const { writer } = await openLedgerForRun(ledger, {
      name: campaign.name,
      flowSid: campaign.flowSid,
      from: campaign.from,
      account: credentials.accountId,
    });
    const client = new StudioClient({
      baseUrl: urls.studio,
      credentials,
      connections: campaign.rate.concurrency,
      ...(urls.api !== undefined ? { apiBaseUrl: urls.api } : {}),
    });
    try {
      return await work({ client, writer, ...(await readCampaignExecutions(ledger)) });
    } finally {
      await client.close();
      await writer.close();
    }
  } finally {
    await lock.release();
  }
}
