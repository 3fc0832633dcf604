import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../src/studio/retry-after.js";
import { RETRY_DEFAULTS, retryAfterDelay } from "../../src/studio/retry-policy.js";

const NOW = Date.parse("2026-11-28T12:00:00Z");

describe("parseRetryAfter (RFC 9110 §10.2.3: delay-seconds or an HTTP date)", () => {
  it.each([
    ["delay-seconds", "3", 3000],
    ["fractional seconds", "1.5", 1500],
    ["a day", "86400", 86_400_000],
    ["spaces around", " 2 ", 2000],
    ["HTTP date 90 s ahead", "Sat, 28 Nov 2026 12:01:30 GMT", 90_000],
    ["HTTP date in the past waits nothing", "Sat, 28 Nov 2026 11:59:00 GMT", 0],
    ["array form takes the first", ["4", "9"], 4000],
    ["absent", undefined, undefined],
    ["empty", "", undefined],
    ["garbage", "soon", undefined],
    ["negative is not delay-seconds", "-5", undefined],
  ] as const)("%s", (_name, header, expected) => {
    expect(parseRetryAfter(header as string | string[] | undefined, NOW)).toBe(expected);
  });
});

describe("retryAfterDelay: Retry-After, capped; else the default", () => {
  it.each([
    ["as asked under the cap", 3000, 3000],
    ["a day is capped to 60 s", 86_400_000, 60_000],
    ["exactly the cap", 60_000, 60_000],
    ["none asked: the default 1 s", undefined, 1000],
  ] as const)("%s", (_name, asked, expected) => {
    expect(retryAfterDelay(asked, RETRY_DEFAULTS)).toBe(expected);
  });

  it("the cap is the campaign's", () => {
    expect(retryAfterDelay(86_400_000, { ...RETRY_DEFAULTS, maxRetryAfterMs: 5_000 })).toBe(5_000);
  });
});
