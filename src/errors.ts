/**
 * The one error base of studio-campaign. Every error the tool raises on purpose carries a
 * stable `code` (what went wrong, for code to decide on) and keeps its `cause`. Only the CLI
 * entry turns codes into exit codes (`cli/exit-codes.ts`). This file imports nothing: every
 * folder may throw these.
 */
export type ErrorCode =
  /** The campaign, contacts or suppression file cannot be used. */
  | "CAMPAIGN_INPUT"
  /** The ledger is corrupt in the middle, bound to another campaign, or cannot be opened. */
  | "LEDGER"
  /**
   * The ledger could not be written or read mid-run (a full disk, an I/O error): an operator
   * condition, not a defect. Nothing more is sent; a rerun continues once it is cleared.
   */
  | "LEDGER_IO"
  /** Another process holds the ledger's lock. */
  | "LOCK_HELD"
  /** The opt-out list could not be read or written (a full disk, PostgreSQL unreachable): rerun once it is cleared. */
  | "OPT_OUTS_IO"
  /** A plain-http base URL that is not loopback: credentials would travel in clear. */
  | "INSECURE_BASE_URL"
  | "MISSING_CREDENTIALS"
  /** The installed copy lacks what it needs (e.g. the reviewed Bottleneck fixes). */
  | "BROKEN_INSTALL"
  /** The flow preflight refused the campaign (docs/reference.md §10). */
  | "FLOW_REFUSED"
  /** The shared rate limiter (Redis) failed before a job ran: nothing was sent. */
  | "LIMITER_UNAVAILABLE"
  /** A create's job never started: the limiter stopped, or the job withdrew itself (nothing was sent). */
  | "JOB_DROPPED"
  /** Studio answered with a non-2xx status. */
  | "STUDIO_API_ERROR"
  /** Studio did not answer. */
  | "STUDIO_TRANSPORT_ERROR"
  /** Studio failed every request for longer than the outage bound: rerun later. */
  | "STUDIO_OUTAGE";

export class StudioCampaignError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The `code` of a Node system error (ENOENT, EACCES, …), when it has one. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err && typeof err.code === "string") return err.code;
  return undefined;
}

/** A campaign, contacts or suppression file that cannot be used (exit 2: nothing was sent). */
export class CampaignInputError extends StudioCampaignError {
  override readonly name = "CampaignInputError";

  constructor(message: string, options?: { cause?: unknown }) {
    super("CAMPAIGN_INPUT", message, options);
  }
}
