import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decideDelivery, signature, webhookSecret, webhookUrl, type DeliveryAnswer } from "../../src/commands/webhook-delivery.js";

const policy = { maxAttempts: 5, maxRetryAfterMs: 60_000 };

describe("decideDelivery: what an answer to a webhook request means (docs/reference.md §19)", () => {
  it.each<[string, DeliveryAnswer, number, ReturnType<typeof decideDelivery>]>([
    ["200", { status: 200 }, 1, { action: "delivered" }],
    ["204", { status: 204 }, 1, { action: "delivered" }],
    ["400: a rejection", { status: 400 }, 1, { action: "rejected" }],
    ["401: a rejection", { status: 401 }, 1, { action: "rejected" }],
    ["409: a rejection", { status: 409 }, 1, { action: "rejected" }],
    ["a redirect is not followed: a rejection", { status: 302 }, 1, { action: "rejected" }],
    ["408: again", { status: 408 }, 1, { action: "retry", delayMs: 188 }],
    ["429 with Retry-After: obeyed", { status: 429, retryAfterMs: 2_000 }, 1, { action: "retry", delayMs: 2_000 }],
    [
      "429 asking for an hour: capped at retry.maxRetryAfter",
      { status: 429, retryAfterMs: 3_600_000 },
      1,
      { action: "retry", delayMs: 60_000 },
    ],
    ["503 with Retry-After: 0", { status: 503, retryAfterMs: 0 }, 2, { action: "retry", delayMs: 0 }],
    ["500: backoff doubles", { status: 500 }, 3, { action: "retry", delayMs: 750 }],
    ["a timeout: again", { failure: "timeout" }, 1, { action: "retry", delayMs: 188 }],
    ["a reset: again", { failure: "no answer (ECONNRESET)" }, 4, { action: "retry", delayMs: 1_500 }],
    ["the last attempt: left for the next run", { status: 503 }, 5, { action: "later", reason: "HTTP 503 after 5 attempt(s)" }],
    ["no answer on the last attempt", { failure: "timeout" }, 5, { action: "later", reason: "timeout after 5 attempt(s)" }],
  ])("%s", (_name, answer, attempt, expected) => {
    expect(decideDelivery(answer, attempt, policy, () => 0.5)).toEqual(expected);
  });
});

describe("the webhook's URL, secret and signature", () => {
  it("https, or http on loopback; credentials refused", () => {
    expect(webhookUrl("https://booking.example/hooks").host).toBe("booking.example");
    expect(webhookUrl("http://127.0.0.1:8080/h").port).toBe("8080");
    expect(() => webhookUrl("http://booking.example/h")).toThrow(/https:\/\//);
    expect(() => webhookUrl("https://user:pw@booking.example/h")).toThrow(/credentials/);
    expect(() => webhookUrl("not a url")).toThrow(/not a URL/);
  });

  it("the secret is required, and no message names it", () => {
    expect(() => webhookSecret({})).toThrow(/STUDIO_CAMPAIGN_WEBHOOK_SECRET/);
    expect(webhookSecret({ STUDIO_CAMPAIGN_WEBHOOK_SECRET: "s3" })).toBe("s3");
  });

  it("the signature is the hex HMAC-SHA256 of the exact body bytes", () => {
    const body = '{"key":"A1","reply":"Sí, confirmo ✅"}';
    expect(signature(body, "k")).toBe(`sha256=${createHmac("sha256", "k").update(Buffer.from(body, "utf8")).digest("hex")}`);
  });
});
