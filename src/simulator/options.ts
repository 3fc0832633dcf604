import type { SimulatedFlow } from "./flows.js";

export interface SimulatorCredential {
  /** Account SID (AC…) or API key SID (SK…). */
  username: string;
  password: string;
  /** The account the credential belongs to; for an AC username, the username itself. */
  accountSid?: string;
}

export interface SimulatorOptions {
  /** `--log FILE`: one entry per create and per message sent (its rendered body). */
  log?: (entry: Record<string, unknown>) => void;
  /** Default 0: any free port. */
  port?: number;
  /** Loopback only. Default 127.0.0.1. */
  host?: string;
  /** Accepted creates per second per account, in any 1-second window. Default 20; 0 = no limit. */
  rate?: number;
  /** Delay before each response, ms. Default 0. */
  latencyMs?: number;
  /** Executions end by themselves this long after creation, ms. Default: never. */
  autoEndMs?: number;
  /** Probability of answering a 5xx instead of handling a request. */
  failRate?: number;
  /** The status of those answers: 500 (Internal Server Error, code 20500) or 503 (Service Unavailable). Default 500. */
  failStatus?: 500 | 503;
  /** Probability of dropping the connection before handling a request. */
  resetRate?: number;
  /** Probability of dropping the connection after a create was committed (no response). */
  dropAfterCommitRate?: number;
  /** Seed of the fault dice and the SIDs, so a failing run can be replayed. Default 1. */
  seed?: number;
  /** When set, only these credentials are accepted; otherwise any Basic credentials are. */
  credentials?: SimulatorCredential[];
  /** `To` numbers Studio refuses with 400 / 21211 (a number it considers unreachable). */
  rejectTo?: string[];
  /** The `Retry-After` header of a 429, as sent (delay-seconds or an HTTP date). Default: the seconds until a place frees. */
  retryAfter?: string;
  /** When set, other flows answer 404. Otherwise every well-formed Flow SID exists. */
  flows?: string[];
  /**
   * Flows with their definitions (`--flow FILE|DIR`): served by `GET /v2/Flows/{Sid}` and its
   * Revisions, and played for each Execution (questions, replies, Context, Steps). When set,
   * flows not listed here nor in `flows` answer 404. Without them, every flow is a default one.
   */
  flowDefinitions?: SimulatedFlow[];
  /** Share of simulated contacts that answer each question, 0..1 (seeded, per contact). Default 0.6. */
  replyRate?: number;
  /** Share of first messages that fail, with an error code on their Message resource, 0..1 (seeded). Default 0. */
  undeliveredRate?: number;
  /** Share of replies that are an opt-out keyword (mixed case and spacing), 0..1 (seeded). Default 0. */
  optOutRate?: number;
  /** Contacts whose replies are scripted, by number (`--replies FILE`): they override the dice. */
  scriptedReplies?: Record<string, ScriptedContact>;
  /** Numbers that replied STOP to a sender before (outside this tool): that sender's messages to them fail with 21610. */
  optedOutAtSender?: Array<{ to: string; from: string }>;
  /** A played Execution ends this long after its creation (the survey's duration), ms. Default 1 000. */
  surveyMs?: number;
  /** More requests than this in flight at once answer 429 / 20429 (Twilio's concurrency limit). Default: none. */
  maxConcurrentRequests?: number;
  /**
   * Called for every create request, awaited before the simulator goes on: `arrived` as it
   * arrives (before the rate check: nothing is made yet), `committed` once its Execution is made,
   * before the answer leaves. Tests stop a client here (kill -9) at a chosen point, deterministically, instead of
   * racing a timer against its requests.
   */
  onCreate?: ((event: CreateEvent) => void | Promise<void>) | undefined;
}

/** A contact's scripted replies (docs/reference.md §8, §19). */
export interface ScriptedContact {
  /** The answer to every Send & Wait For Reply; null: the contact never answers (it times out). */
  reply?: string | null;
  /**
   * Messages the contact sends after the flow stopped waiting, each `afterMs` after its Execution
   * was created: inbound Messages that `GET …/Messages.json` lists (a late reply).
   */
  late?: Array<{ body: string; afterMs: number }>;
}

/** A create as the `onCreate` hook sees it: its place among the creates so far (1-based). */
export interface CreateEvent {
  stage: "arrived" | "committed";
  /** Creates that reached this stage so far, this one included. */
  count: number;
  to: string;
  /** The Execution made (committed only). */
  sid?: string;
}

export const SIMULATOR_DEFAULTS = {
  port: 0,
  host: "127.0.0.1",
  rate: 20,
  latencyMs: 0,
  failRate: 0,
  resetRate: 0,
  dropAfterCommitRate: 0,
  seed: 1,
  replyRate: 0.6,
  undeliveredRate: 0,
  optOutRate: 0,
  surveyMs: 1_000,
} as const;

/** Account used for API-key credentials that name none. */
export const DEFAULT_SIMULATOR_ACCOUNT = "AC00000000000000000000000000000000";
