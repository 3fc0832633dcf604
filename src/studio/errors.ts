/**
 * Errors of the Studio client, as values a caller decides on without parsing strings.
 *
 * - `StudioApiError`: the server answered with a non-2xx status.
 * - `StudioTransportError`: no answer. Its `delivery` says whether the request can have reached
 *   the server: `not-sent` (it provably never left: safe to re-send) or `in-doubt` (it may have
 *   been processed: a create must be reconciled, never blindly re-sent).
 */
import { StudioCampaignError, errnoCode } from "../errors.js";

export type HttpMethod = "GET" | "POST" | "DELETE";

export interface TwilioErrorBody {
  code?: number;
  message?: string;
  more_info?: string;
  status?: number;
  details?: { conflicting_execution_sid?: string } & Record<string, unknown>;
}

export class StudioApiError extends StudioCampaignError {
  override readonly name = "StudioApiError";
  readonly method: HttpMethod;
  readonly path: string;
  readonly status: number;
  /** Twilio's error code (20409, 20429, 20003, …), when the body carried one. */
  readonly twilioCode: number | undefined;
  readonly twilioMessage: string;
  readonly moreInfo: string | undefined;
  /** For 409 on create: the SID of the Execution already active for this To/From. */
  readonly conflictingExecutionSid: string | undefined;
  /** For 429 (and 503): how long the server asks us to wait, from `Retry-After`. */
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    method: HttpMethod;
    path: string;
    status: number;
    body: TwilioErrorBody | undefined;
    retryAfterMs: number | undefined;
  }) {
    const body = init.body ?? {};
    const twilioMessage = typeof body.message === "string" ? body.message : "";
    const codePart = typeof body.code === "number" ? ` (Twilio ${body.code})` : "";
    super("STUDIO_API_ERROR", `[${init.method}] "${init.path}": ${init.status}${codePart}${twilioMessage ? ` ${twilioMessage}` : ""}`);
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.twilioCode = typeof body.code === "number" ? body.code : undefined;
    this.twilioMessage = twilioMessage;
    this.moreInfo = typeof body.more_info === "string" ? body.more_info : undefined;
    const conflicting = body.details?.conflicting_execution_sid;
    this.conflictingExecutionSid = typeof conflicting === "string" ? conflicting : undefined;
    this.retryAfterMs = init.retryAfterMs;
  }

  get isAuthFailure(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export type Delivery = "not-sent" | "in-doubt";

export class StudioTransportError extends StudioCampaignError {
  override readonly name = "StudioTransportError";
  readonly method: HttpMethod;
  readonly path: string;
  readonly delivery: Delivery;
  /** The underlying error's code (ECONNREFUSED, UND_ERR_SOCKET, …). */
  readonly causeCode: string | undefined;

  constructor(init: { method: HttpMethod; path: string; delivery: Delivery; cause: unknown }) {
    const causeCode = errorCode(init.cause);
    super(
      "STUDIO_TRANSPORT_ERROR",
      `[${init.method}] "${init.path}": ${init.delivery === "not-sent" ? "not sent" : "outcome unknown"} ` +
        `(${causeCode ?? "transport error"})`,
      {
        cause: init.cause,
      },
    );
    this.method = init.method;
    this.path = init.path;
    this.delivery = init.delivery;
    this.causeCode = causeCode;
  }
}

/** The underlying error's code, for naming it in messages and for `classifyTransportFailure`. */
export const errorCode = errnoCode;
