import { describe, expect, it } from "vitest";
import { StudioApiError, StudioTransportError } from "../../src/studio/errors.js";
import { backoff, decideAfterCreateFailure, RETRY_DEFAULTS } from "../../src/studio/retry-policy.js";

const policy = { ...RETRY_DEFAULTS, maxAttempts: 3 };
const api = (status: number, extra: { retryAfterMs?: number; code?: number; conflicting?: string } = {}) =>
  new StudioApiError({
    method: "POST",
    path: "/v2/Flows/FW/Executions",
    status,
    body: {
      code: extra.code ?? status * 100,
      message: "m",
      ...(extra.conflicting ? { details: { conflicting_execution_sid: extra.conflicting } } : {}),
    },
    retryAfterMs: extra.retryAfterMs,
  });
const transport = (delivery: "not-sent" | "in-doubt") =>
  new StudioTransportError({ method: "POST", path: "/x", delivery, cause: new Error("x") });
const half = () => 0.5;

describe("decideAfterCreateFailure", () => {
  it.each([
    [
      "429 with Retry-After holds the account",
      api(429, { retryAfterMs: 3000 }),
      1,
      { action: "retry", delayMs: 3000, account: true, askedMs: 3000 },
    ],
    [
      "429 asking for a day holds 60 s at most",
      api(429, { retryAfterMs: 86_400_000 }),
      1,
      { action: "retry", delayMs: 60_000, account: true, askedMs: 86_400_000 },
    ],
    ["429 without Retry-After", api(429), 1, { action: "retry", delayMs: 1000, account: true, askedMs: undefined }],
    ["429 does not use up attempts", api(429), 99, { action: "retry", delayMs: 1000, account: true, askedMs: undefined }],
    ["409 carries the conflicting SID", api(409, { conflicting: "FNabc" }), 1, { action: "conflict", conflictingSid: "FNabc" }],
    ["401 stops the run", api(401), 1, { action: "stop-auth" }],
    ["403 stops the run", api(403), 1, { action: "stop-auth" }],
    ["500 may have committed: settle", api(500), 1, { action: "settle" }],
    ["503 may have committed: settle", api(503), 3, { action: "settle" }],
    ["400 is final", api(400), 1, { action: "fail", transient: false }],
    ["404 is final", api(404), 1, { action: "fail", transient: false }],
    ["in doubt: settle, never re-send", transport("in-doubt"), 1, { action: "settle" }],
    ["not sent: retry with backoff", transport("not-sent"), 1, { action: "retry", delayMs: 375, account: false }],
    ["not sent, attempts used up", transport("not-sent"), 3, { action: "fail", transient: true }],
    ["an unknown error is in doubt", new Error("?"), 1, { action: "settle" }],
  ])("%s", (_name, error, attempt, expected) => {
    expect(decideAfterCreateFailure(error, attempt, policy, half)).toEqual(expected);
  });

  it("backs off exponentially with jitter, capped", () => {
    expect([1, 2, 3, 4].map((n) => backoff(n, policy, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map((n) => backoff(n, policy, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(backoff(30, policy, () => 1)).toBe(RETRY_DEFAULTS.maxDelayMs);
  });
});
