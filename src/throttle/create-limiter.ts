import type Bottleneck from "bottleneck";
import { StudioCampaignError } from "../errors.js";
import { bottleneckQueue, droppedAsOurs, unpacedQueue, type AccountQueue } from "./account-queue.js";

import { WindowGate } from "./window-gate.js";

export interface RedisLimiterOptions {
  url: string;
  /** The shared budget's name: one per account. */
  id: string;
  /**
   * After this long a job counts as finished in Redis even if its process died holding it:
   * a crashed process cannot keep the account's capacity.
   */
  jobExpirationMs: number;
}

export interface CreateLimiterOptions {
  /** New Executions per second (may be fractional). */
  perSecond: number;
  /** Requests in flight at most. */
  concurrency: number;
  /**
   * Spacing margin over 1/rate. A strict server counts arrivals; jitter between our start
   * and its arrival could otherwise put rate+1 in one window.
   */
  pacingMargin?: number;
  /** Share the limit with every process on the account through Redis (Bottleneck clustering). */
  redis?: RedisLimiterOptions | undefined;
  /**
   * Creates per second from any one sender (`rate.senderMps ÷ rate.messagesPerContact`), as well
   * as the account rate: a Bottleneck Group keyed by sender, clustered like the account limiter.
   */
  perSenderPerSecond?: number | undefined;
  /**
   * Told of every start the limiter grants, at the moment it grants it (after every gate, right
   * before the request leaves): `DEBUG=studio-campaign:starts` prints them, and the tests judge
   * the pace there, where it is enforced, not by arrival times at a server on a loaded machine.
   */
  onStart?: ((at: number, sender: string | undefined) => void) | undefined;
}

/** A gate passed right before a request leaves; a local one returns the time it recorded the start at. */
interface Gate {
  pass(): Promise<number | void>;
}

/**
 * Spacing is 1.5% longer than 1/rate: rate+1 starts span 1015 ms, which leaves a strict
 * server's 1-second window a 15 ms budget for jitter between our start and its arrival, and the
 * window gate (1010 ms) never waits in the normal case. Costs 1.5% of the configured rate.
 */
export const DEFAULT_PACING_MARGIN = 0.015;
export const GATE_WINDOW_MS = 1010;
/**
 * A sender's window is wider: the account's 10 ms leave a start delayed by more event-loop lag
 * than that (a process just started, a loaded machine) able to put rate+1 arrivals in one second
 * (seen once in the test suite: 5 at senderMps 4). Over a sender's rate Twilio queues rather
 * than refuses, so 2.5% of a sender's pace buys the room; the account keeps its 1%.
 */
export const SENDER_GATE_WINDOW_MS = 1025;
/**
 * The account's window shared through Redis is as wide as a sender's: a start is granted on
 * Redis's clock, then each worker has its own reply, event loop and connection to go through before
 * its request arrives, and four workers with the simulator on two cores, one of them busy, put a
 * 21st arrival in a strict second with the account's 10 ms (one 429 in three runs). 25 ms
 * holds there; the ceiling, 1000/1025 = 0.976 of the rate, is the clustered spacing's already.
 */
export const SHARED_GATE_WINDOW_MS = 1025;

/**
 * Clustered, a start is granted in Redis but happens in each worker after its own round trip
 * and event-loop delay. Alone, that jitter needed a 6% margin (two workers reached 0.92–0.945
 * of the account rate). The shared window gate (`RedisWindowGate`) now holds the hard limit
 * across workers with Redis's clock, so the spacing keeps only the local margin plus 1% for
 * the gate's round trip.
 */
export const CLUSTERED_PACING_MARGIN = 0.025;

/**
 * Bottleneck waits out a spacing with timers, and Node's timers count whole milliseconds: a
 * spacing under 1 ms (a rate over ~985/s, far above any Studio account's) is not one it can
 * keep. A local run at such a rate is bounded by its concurrency and the window gate alone, and
 * does without Bottleneck's per-job machinery (0.3 ms of CPU a create).
 */
const FINEST_SPACING_MS = 1;

/**
 * The create limiter: an even spacing of `1/rate` (plus a margin) between request starts and
 * at most `concurrency` in flight. Built once per run and passed in. Even spacing, not a
 * per-second reservoir, so that no burst at a window edge can exceed a strict server's count,
 * and the achieved rate does not depend on latency as long as `concurrency ≥ rate × latency`.
 */
export async function createLimiter(options: CreateLimiterOptions): Promise<AccountLimiter> {
  const margin = options.pacingMargin ?? (options.redis ? CLUSTERED_PACING_MARGIN : DEFAULT_PACING_MARGIN);
  const pace: Pace = {
    settings: { maxConcurrent: options.concurrency, minTime: (1000 / options.perSecond) * (1 + margin) },
    // The window gate is per process: it guards this process's starts against its own
    // event-loop lag; across processes the shared minTime in Redis does the pacing.
    gate: options.perSecond >= 1 ? new WindowGate({ perWindow: options.perSecond, windowMs: GATE_WINDOW_MS }) : undefined,
    // Whole milliseconds: a clustered Group sets its keys' TTL from the next start time, and a
    // fractional PEXPIRE is refused by Redis 7 (see the account limiter's missing `timeout`).
    senderSpacing: options.perSenderPerSecond === undefined ? undefined : Math.ceil((1000 / options.perSenderPerSecond) * (1 + margin)),
  };
  if (!options.redis && pace.senderSpacing === undefined && pace.settings.minTime < FINEST_SPACING_MS) {
    // Nothing to pace: Bottleneck is not even loaded.
    return new AccountLimiter({
      queue: unpacedQueue(pace.settings.maxConcurrent),
      gates: pace.gate ? [pace.gate] : [],
      onStart: options.onStart,
    });
  }
  const { default: Bottleneck } = await import("bottleneck");
  return options.redis ? clusteredLimiter(options, options.redis, pace, Bottleneck) : localLimiter(options, pace, Bottleneck);
}

/** The limiter's numbers: Bottleneck's settings, this process's window gate, and each sender's spacing. */
interface Pace {
  settings: { maxConcurrent: number; minTime: number };
  gate: WindowGate | undefined;
  senderSpacing: number | undefined;
}

/** One process's limiter: Bottleneck where it paces (p-limit where the spacing is under a timer's 1 ms), a Group per sender. */
function localLimiter(options: CreateLimiterOptions, pace: Pace, Bottleneck: typeof import("bottleneck").default): AccountLimiter {
  const { BottleneckError } = Bottleneck;
  const senders = pace.senderSpacing === undefined ? undefined : new Bottleneck.Group({ minTime: pace.senderSpacing });
  const queue =
    pace.settings.minTime < FINEST_SPACING_MS
      ? unpacedQueue(pace.settings.maxConcurrent)
      : bottleneckQueue(new Bottleneck(pace.settings), { BottleneckError });
  return new AccountLimiter({
    queue,
    gates: pace.gate ? [pace.gate] : [],
    onStart: options.onStart,
    senders: senders && { group: senders, gate: () => new WindowGate(senderWindow(options.perSenderPerSecond!)), BottleneckError },
  });
}

/** The account's limiter shared through Redis: Bottleneck's clustered datastore, and the shared window gates (account, each sender). */
async function clusteredLimiter(
  options: CreateLimiterOptions,
  redis: RedisLimiterOptions,
  pace: Pace,
  Bottleneck: typeof import("bottleneck").default,
): Promise<AccountLimiter> {
  const { BottleneckError } = Bottleneck;
  const { assertBottleneckPatched, connectRedis } = await import("./redis-connection.js"); // ioredis: only when clustered
  const { RedisWindowGate } = await import("./redis-window-gate.js");
  assertBottleneckPatched();
  const { connection, client } = connectRedis(redis.url);
  // No `timeout` (key TTL): with a fractional minTime Bottleneck 2.19.5 computes a fractional
  // PEXPIRE, which Redis 7 rejects ("value is not an integer"), and every registration fails.
  // The keys are a few hashes per account; they may stay.
  const clustered = { datastore: "ioredis" as const, connection, clearDatastore: false };
  const limiter = new Bottleneck({ ...pace.settings, ...clustered, id: redis.id });
  const accountGate = new RedisWindowGate({
    client,
    key: `${redis.id}:starts`,
    perWindow: options.perSecond,
    windowMs: SHARED_GATE_WINDOW_MS,
  });
  const senderGate = (sender: string): Gate => {
    const { perWindow, windowMs } = senderWindow(options.perSenderPerSecond!);
    return new RedisWindowGate({ client, key: `${redis.id}:sender:${sender}:starts`, perWindow, windowMs });
  };
  const group =
    pace.senderSpacing === undefined
      ? undefined
      : new Bottleneck.Group({ minTime: pace.senderSpacing, ...clustered, id: `${redis.id}:sender` });
  return new AccountLimiter({
    queue: bottleneckQueue(limiter, { expiration: redis.jobExpirationMs, BottleneckError }),
    gates: [...(pace.gate ? [pace.gate] : []), accountGate],
    onStart: options.onStart,
    senders: group && { group, gate: senderGate, BottleneckError },
    cluster: { connection, jobExpirationMs: redis.jobExpirationMs },
  });
}

/** A sender's hard window: `perWindow` starts per `windowMs` (1/s → 1 per 1 025 ms; 0.5/s → 1 per 2 050 ms). */
function senderWindow(perSecond: number): { perWindow: number; windowMs: number } {
  const perWindow = Math.max(1, Math.floor(perSecond));
  return { perWindow, windowMs: (perWindow / perSecond) * SENDER_GATE_WINDOW_MS };
}

/** Each sender's pace: a Bottleneck Group keyed by sender, its window gates, and its module's error class. */
interface SenderQueues {
  group: Bottleneck.Group;
  gate: (sender: string) => Gate;
  BottleneckError: typeof Bottleneck.BottleneckError;
}

/** The account's queue (Bottleneck where it paces), the window gates, and the account-wide hold that a 429 asks for. */
export class AccountLimiter {
  readonly #queue: AccountQueue;
  #holdUntil = 0;
  #holdTimer: NodeJS.Timeout | undefined;

  readonly #gates: readonly Gate[];
  readonly #senders: SenderQueues | undefined;
  readonly #senderGates = new Map<string, Gate>();
  readonly #cluster: { connection: Bottleneck.IORedisConnection; jobExpirationMs: number } | undefined;
  readonly #onStart: ((at: number, sender: string | undefined) => void) | undefined;

  constructor(init: {
    queue: AccountQueue;
    gates?: readonly Gate[];
    onStart?: ((at: number, sender: string | undefined) => void) | undefined;
    senders?: SenderQueues | undefined;
    cluster?: { connection: Bottleneck.IORedisConnection; jobExpirationMs: number };
  }) {
    this.#queue = init.queue;
    this.#gates = init.gates ?? [];
    this.#senders = init.senders;
    this.#cluster = init.cluster;
    this.#onStart = init.onStart;
  }

  /** Resolves when a clustered limiter has reached Redis (at once for a local one). */
  async ready(): Promise<void> {
    await this.#queue.ready();
  }

  /**
   * Run `job` when the rate allows. The job awaits `departure()` immediately before its request
   * leaves, after any local work (the ledger's fsync), so that the window gate sees true
   * departure times.
   */
  schedule<T>(job: (departure: () => Promise<void>) => Promise<T>, sender?: string): Promise<T> {
    const gates = sender !== undefined && this.#senders ? [...this.#gates, this.#senderGate(sender)] : this.#gates;
    const departure = async () => {
      await this.#afterHold();
      let at: number | void = undefined;
      for (const gate of gates) at = (await gate.pass()) ?? at;
      // The time the last local gate recorded: the start is judged there, exactly as the gate counted it.
      this.#onStart?.(at ?? Date.now(), sender);
    };
    // Bottleneck registers up to `maxConcurrent` jobs ahead, each with its launch time, and a
    // reservoir of 0 stops only later registrations: without this wait, the jobs registered
    // before a 429 would still leave during its hold (and draw a 429 each).
    const onAccount = () => this.#queue.schedule(async () => (await this.#afterHold(), job(departure)));
    if (sender === undefined || !this.#senders) return onAccount();
    // The sender's pace first (its own queue), then the account's: a slow sender never holds
    // an account slot while it waits for its turn.
    const options = this.#cluster ? { expiration: this.#cluster.jobExpirationMs } : {};
    return droppedAsOurs(this.#senders.group.key(sender).schedule(options, onAccount), this.#senders.BottleneckError);
  }

  /** Jobs waiting out a hold, woken at once by `stop()`. */
  readonly #holdWaiters = new Set<() => void>();

  /** Resolves once no 429 hold is in force, or the limiter is stopping. */
  async #afterHold(): Promise<void> {
    for (let wait = this.#holdUntil - Date.now(); wait > 0 && !this.#stopping; wait = this.#holdUntil - Date.now()) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#holdWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, wait);
        this.#holdWaiters.add(wake);
      });
    }
  }

  #senderGate(sender: string): Gate {
    let gate = this.#senderGates.get(sender);
    if (!gate) this.#senderGates.set(sender, (gate = this.#senders!.gate(sender)));
    return gate;
  }

  /**
   * A 429 is an account signal (another process may share the account): stop starting any
   * request until `ms` from now. The limiter's reservoir is set to 0 and restored after.
   */
  holdFor(ms: number, now: number = Date.now()): void {
    const until = now + ms;
    if (until <= this.#holdUntil) return;
    this.#holdUntil = until;
    this.#queue.hold(true);
    clearTimeout(this.#holdTimer);
    this.#holdTimer = setTimeout(() => {
      this.#holdTimer = undefined;
      this.#queue.hold(false);
    }, ms);
  }

  #stopping: Promise<void> | undefined;

  /** Stop (idempotent): jobs not yet started are dropped (their promises reject). */
  stop(): Promise<void> {
    clearTimeout(this.#holdTimer);
    this.#stopping ??= Promise.all([
      this.#queue.stop(),
      ...(this.#senders?.group.limiters().map(({ limiter }) => limiter.stop({ dropWaitingJobs: true })) ?? []),
    ]).then(() => undefined);
    // Jobs waiting out a 429 hold go on at once: their sender sees the stop and sends nothing.
    for (const wake of this.#holdWaiters) wake();
    return this.#stopping;
  }

  /** Stop and, when clustered, close the Redis connection so that the process can exit. */
  async close(): Promise<void> {
    await this.stop().catch(() => undefined);
    if (!this.#cluster) return;
    const { connection } = this.#cluster;
    // QUIT flushes pending replies but waits forever on an unreachable Redis: give it a second.
    const quit = Promise.resolve(connection.disconnect(true)).catch(() => undefined);
    await Promise.race([quit, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    connection.disconnect(false);
  }
}

/** The limiter itself failed (Redis unreachable) before the job ran: nothing was sent. */
export class LimiterUnavailableError extends StudioCampaignError {
  override readonly name = "LimiterUnavailableError";

  constructor(message: string, options?: { cause?: unknown }) {
    super("LIMITER_UNAVAILABLE", message, options);
  }
}
