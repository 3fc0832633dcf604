import pLimit from "p-limit";
import type { LedgerWriter } from "../ledger/write-ledger.js";
import type { StudioClient } from "../studio/client.js";
import { StudioApiError } from "../studio/errors.js";
import type { Campaign } from "./campaign.js";
import type { CreatedExecution } from "./created-executions.js";

export interface EndResult {
  ended: number;
  alreadyEnded: number;
  failed: Array<{ sid: string; message: string }>;
}

const MAX_TRIES = 5;

/**
 * `end`: end every Execution this campaign created that is not known to have ended, at most
 * `concurrency` at once. Idempotent: a 409 (already ended) or 404 (gone) counts as ended, and
 * every end is recorded so that a second `end` sends nothing. A 429 waits its Retry-After.
 */
export async function endExecutions(
  campaign: Campaign,
  client: StudioClient,
  ledger: LedgerWriter,
  executions: Map<string, CreatedExecution>,
  options: { signal?: AbortSignal; now?: () => Date } = {},
): Promise<EndResult> {
  const now = options.now ?? (() => new Date());
  const result: EndResult = { ended: 0, alreadyEnded: 0, failed: [] };
  const limit = pLimit(campaign.rate.concurrency);
  const targets = [...executions.values()].filter((e) => e.status !== "ended");
  await Promise.all(
    targets.map((execution) =>
      limit(async () => {
        if (options.signal?.aborted) return;
        for (let tries = 1; ; tries++) {
          try {
            await client.endExecution(campaign.flowSid, execution.sid);
            result.ended++;
            break;
          } catch (err) {
            if (err instanceof StudioApiError && (err.status === 409 || err.status === 404)) {
              result.alreadyEnded++;
              break;
            }
            if (err instanceof StudioApiError && err.isAuthFailure) throw err;
            if (tries >= MAX_TRIES) {
              result.failed.push({ sid: execution.sid, message: err instanceof Error ? err.message : String(err) });
              return;
            }
            const wait = err instanceof StudioApiError && err.retryAfterMs !== undefined ? err.retryAfterMs : 250 * 2 ** tries;
            await new Promise((r) => setTimeout(r, wait));
          }
        }
        execution.status = "ended";
        void ledger.append({ t: "exec", sid: execution.sid, status: "ended", at: now().toISOString() });
      }),
    ),
  );
  await ledger.flush();
  return result;
}
