import pLimit from "p-limit";
import type { LedgerWriter } from "../../ledger/ledger-store.js";
import type { StudioClient } from "../../studio/client.js";
import { StudioApiError } from "../../studio/errors.js";
import { withReadRetries } from "../../studio/read-retry.js";
import { RETRY_DEFAULTS } from "../../studio/retry-policy.js";
import { setTimeout as delay } from "node:timers/promises";
import type { Campaign } from "../campaign.js";
import type { CreatedExecution } from "./created-executions.js";

export interface EndResult {
  ended: number;
  alreadyEnded: number;
  failed: Array<{ sid: string; message: string }>;
}

/**
 * `end`: end every Execution this campaign created that is not known to have ended, at most
 * `concurrency` at once. Idempotent: a 409 (already ended) or 404 (gone) counts as ended, and
 * every end is recorded so that a second `end` sends nothing. Failures are retried as reads are
 * (`withReadRetries`): a 429 after its Retry-After (capped), 5xx and no answer with a jittered backoff.
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
  // Ending is safe to repeat (an ended one answers 409): retried like a read, a 429 after its Retry-After.
  const policy = { ...RETRY_DEFAULTS, ...campaign.retry };
  const sleep = (ms: number) => delay(ms, undefined, { signal: options.signal }).catch(() => undefined);
  const targets = [...executions.values()].filter((e) => e.status !== "ended");
  await Promise.all(
    targets.map((execution) =>
      limit(async () => {
        if (options.signal?.aborted) return;
        try {
          await withReadRetries(() => client.endExecution(campaign.flowSid, execution.sid), { policy, sleep, signal: options.signal });
          result.ended++;
        } catch (err) {
          if (err instanceof StudioApiError && (err.status === 409 || err.status === 404)) {
            result.alreadyEnded++;
          } else if (err instanceof StudioApiError && err.isAuthFailure) {
            throw err;
          } else {
            result.failed.push({ sid: execution.sid, message: err instanceof Error ? err.message : String(err) });
            return;
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
