import { systemClock, StopControl, type Clock } from "../../clock.js";
import { LedgerError } from "../../ledger/errors.js";
import type { LedgerStore, LedgerWriter } from "../../ledger/ledger-store.js";
import { openLedgerForRun } from "../../ledger/open-ledger.js";
import { Resources } from "../../resources.js";
import { StudioClient } from "../../studio/client.js";
import type { Credentials } from "../../studio/credentials.js";
import { Reads } from "../../studio/read-retry.js";
import { ServiceHealth } from "../../studio/service-health.js";
import { campaignLedger } from "../../campaign/campaign-ledger.js";
import type { Campaign } from "../../campaign/campaign.js";
import { readPolicy, RUNTIME_DEFAULTS } from "../../campaign/runtime-defaults.js";
import { stopOnSignals, type SignalHandling } from "../../stop-on-signals.js";
import { readCampaignExecutions } from "./created-executions.js";
import type { CreatedExecution } from "../../ledger/fold.js";

/** What `status`, `end` and `results` are given by their caller. */
export interface ExecutionsOptions {
  campaign: Campaign;
  credentials: Credentials;
  /** Studio's base URL, and Programmable Messaging's (for `results`' Message fetches). */
  urls: { studio: string; api?: string | undefined };
  /** The command's clock and stop (Ctrl-C): every wait between reads ends at once on a stop. */
  clock?: Clock | undefined;
  stop?: StopControl | undefined;
  /** Studio failing every request this long: the command stops (exit 75). */
  outageAfterMs?: number | undefined;
  /** SIGINT/SIGTERM stop the command (the CLI passes `process`). */
  signals?: SignalHandling | undefined;
  /** A read is tried again (a 5xx, a reset, a 429): for the operator's log. */
  onRetry?: ((what: string, error: unknown, delayMs: number) => void) | undefined;
}

/** The campaign's ledger locked and open for appending, its Executions as recorded, and the means to ask Studio about them. */
export interface ExecutionsSession extends AsyncDisposable {
  campaign: Campaign;
  client: StudioClient;
  writer: LedgerWriter;
  reads: Reads;
  clock: Clock;
  stop: StopControl;
  executions: Map<string, CreatedExecution>;
  /** The flow's questions as the latest preflight recorded them. */
  questions: string[] | undefined;
}

/**
 * For `status`, `end` and `results` (and a follow-up's look at its source): hold the ledger's
 * lock, check its binding, read the Executions this campaign created, and open the client. All
 * of it is closed as one when the session is disposed (`await using`).
 */
export async function openExecutionsSession(options: ExecutionsOptions): Promise<ExecutionsSession> {
  const { campaign, credentials, urls } = options;
  const ledger = campaignLedger(campaign);
  await assertLedgerExists(ledger);
  await using resources = new Resources();
  const lock = await ledger.lock();
  resources.defer(() => lock.release());
  const binding = { name: campaign.name, flowSid: campaign.flowSid, from: campaign.from, account: credentials.accountId };
  const { writer } = await openLedgerForRun(ledger, binding, { lock });
  resources.defer(() => writer.close());
  const client = new StudioClient({
    baseUrl: urls.studio,
    credentials,
    connections: campaign.rate.concurrency,
    timeoutMs: RUNTIME_DEFAULTS.requestTimeoutMs,
    ...(urls.api !== undefined ? { apiBaseUrl: urls.api } : {}),
  });
  resources.defer(() => client.close());
  const clock = options.clock ?? systemClock;
  const stop = options.stop ?? new StopControl();
  if (options.signals) resources.defer(stopOnSignals(stop, options.signals));
  const reads = new Reads({
    policy: readPolicy(campaign, options.outageAfterMs),
    clock,
    health: new ServiceHealth(),
    signal: stop.signal,
    onRetry: options.onRetry,
  });
  const recorded = await readCampaignExecutions(ledger);
  const owned = resources.move();
  return { campaign, client, writer, reads, clock, stop, ...recorded, [Symbol.asyncDispose]: () => owned[Symbol.asyncDispose]() };
}

/**
 * A ledger that must exist: a typo in `--ledger`, or a campaign never run, is exit 2 naming it —
 * never an empty report that says "0 rows".
 */
export async function assertLedgerExists(ledger: LedgerStore): Promise<void> {
  if (!(await ledger.exists())) throw new LedgerError(`${ledger.label}: no such ledger: check --ledger, or run the campaign first`);
}
