import { describe, expect, it } from "vitest";
import { ExitCode, ExitError, exitCodeForError } from "../../src/cli/exit-codes.js";
import { CampaignInputError, StudioCampaignError } from "../../src/errors.js";
import { LedgerError } from "../../src/ledger/errors.js";
import { LockHeldError } from "../../src/ledger/errors.js";
import { StudioApiError, StudioTransportError } from "../../src/studio/errors.js";

const api = (status: number) =>
  new StudioApiError({ method: "GET", path: "/v2/Flows/FW", status, body: undefined, retryAfterMs: undefined });

describe("exitCodeForError: 75 only for what a rerun can clear", () => {
  it.each([
    ["a campaign or contacts file", new CampaignInputError("x"), ExitCode.usage],
    ["a ledger that cannot be used", new LedgerError("x"), ExitCode.usage],
    ["a broken install", new StudioCampaignError("BROKEN_INSTALL", "x"), ExitCode.usage],
    ["a refused flow", new StudioCampaignError("FLOW_REFUSED", "x"), ExitCode.usage],
    ["no credentials", new StudioCampaignError("MISSING_CREDENTIALS", "x"), ExitCode.usage],
    ["a plain-http URL", new StudioCampaignError("INSECURE_BASE_URL", "x"), ExitCode.usage],
    ["a held lock", new LockHeldError("/l.lock", { pid: 1, host: "h", since: "s", token: "t" }), ExitCode.tempFail],
    ["an unreachable Redis", new StudioCampaignError("LIMITER_UNAVAILABLE", "x"), ExitCode.tempFail],
    [
      "Studio did not answer",
      new StudioTransportError({ method: "GET", path: "/", delivery: "not-sent", cause: new Error("x") }),
      ExitCode.tempFail,
    ],
    ["Studio answered 503", api(503), ExitCode.tempFail],
    ["Studio answered 401", api(401), ExitCode.noPermission],
    ["Studio answered 403", api(403), ExitCode.noPermission],
    ["an explicit exit", new ExitError(ExitCode.rowErrors, ""), ExitCode.rowErrors],
    ["a defect (not ours)", new TypeError("x is undefined"), ExitCode.internal],
  ])("%s", (_name, error, expected) => {
    expect(exitCodeForError(error)).toBe(expected);
  });
});
