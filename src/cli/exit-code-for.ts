import type { RunSummary } from "../engine/run/run-events.js";
import { ExitCode } from "./exit-codes.js";

/** docs/reference.md §7, from a run's summary. */
export function exitCodeFor(summary: RunSummary): ExitCode {
  if (summary.stopped === "auth") return ExitCode.noPermission;
  if (summary.stopped !== undefined || summary.counts.pending > 0) return ExitCode.tempFail;
  if (summary.thisRun.failed > 0 || summary.thisRun.invalid > 0) return ExitCode.rowErrors;
  // A standing campaign records no row: an invalid appointment in its export is every tick's (validate says the same).
  if (summary.schedule !== undefined && summary.counts.invalid > 0) return ExitCode.rowErrors;
  return ExitCode.ok;
}
