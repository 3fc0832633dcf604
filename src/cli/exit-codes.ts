/** SPEC §7. */
export const ExitCode = {
  /** Nothing left to do, and this run recorded no row errors. */
  ok: 0,
  /** Finished, but this run recorded `failed` or `invalid` rows. */
  rowErrors: 1,
  /** Usage, campaign file or contacts file error: nothing was sent. */
  usage: 2,
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
