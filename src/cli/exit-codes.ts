import { StudioCampaignError, type ErrorCode } from "../errors.js";
import { StudioApiError } from "../studio/errors.js";

/** docs/reference.md §7. */
export const ExitCode = {
  /** Nothing left to do, and this run recorded no row errors. */
  ok: 0,
  /** Finished, but this run recorded `failed` or `invalid` rows. */
  rowErrors: 1,
  /** Usage, campaign file or contacts file error: nothing was sent. */
  usage: 2,
  /** An error the tool did not expect (a defect): a rerun will not clear it. sysexits' EX_SOFTWARE. */
  internal: 70,
  /** Stopped before finishing; rerun to continue. */
  tempFail: 75,
  /** Credentials rejected (401/403). */
  noPermission: 77,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Thrown by command handlers; only the entry point turns it into `process.exitCode`. */
export class ExitError extends Error {
  override readonly name = "ExitError";
  readonly exitCode: ExitCode;

  constructor(exitCode: ExitCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/**
 * Each error code's exit code, in one place. 75 only for what a rerun can clear: a held lock,
 * an unreachable Redis or Studio. What needs a person (a file, a flow, an install) is 2.
 */
const EXIT_BY_CODE: Record<ErrorCode, ExitCode> = {
  CAMPAIGN_INPUT: ExitCode.usage,
  LEDGER: ExitCode.usage,
  INSECURE_BASE_URL: ExitCode.usage,
  MISSING_CREDENTIALS: ExitCode.usage,
  BROKEN_INSTALL: ExitCode.usage,
  FLOW_REFUSED: ExitCode.usage,
  LOCK_HELD: ExitCode.tempFail,
  LEDGER_IO: ExitCode.tempFail,
  OPT_OUTS_IO: ExitCode.tempFail,
  LIMITER_UNAVAILABLE: ExitCode.tempFail,
  JOB_DROPPED: ExitCode.tempFail,
  STUDIO_API_ERROR: ExitCode.tempFail,
  STUDIO_TRANSPORT_ERROR: ExitCode.tempFail,
  STUDIO_OUTAGE: ExitCode.tempFail,
};

/** The exit code for an error that reached the CLI entry. */
export function exitCodeForError(err: unknown): ExitCode {
  if (err instanceof ExitError) return err.exitCode;
  if (err instanceof StudioApiError && err.isAuthFailure) return ExitCode.noPermission;
  if (err instanceof StudioCampaignError) return EXIT_BY_CODE[err.code];
  return ExitCode.internal;
}
