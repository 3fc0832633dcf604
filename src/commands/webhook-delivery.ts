import { createHmac } from "node:crypto";
import type { Dispatcher } from "undici";
import { CampaignInputError } from "../errors.js";
import { isLoopbackHost } from "../studio/base-url.js";
import { parseRetryAfter } from "../studio/retry-after.js";
import { backoff } from "../studio/retry-policy.js";

/** The environment variable that holds the webhook's signing secret (docs/reference.md §19). */
export const WEBHOOK_SECRET_ENV = "STUDIO_CAMPAIGN_WEBHOOK_SECRET";
/** A request not answered in this long is a timeout, tried again. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Requests in flight at most. */
export const WEBHOOK_CONCURRENCY = 4;
const BACKOFF_BASE_MS = 250;

/**
 * The receiver's URL (docs/reference.md §19): `https://`, or `http://` on loopback only (the
 * signature protects the body, not its confidentiality); a URL with credentials is refused — a
 * secret belongs in the environment. Exit 2, naming the flag.
 */
export function webhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CampaignInputError(`--webhook: not a URL: ${JSON.stringify(text)}`);
  }
  if (url.username !== "" || url.password !== "")
    throw new CampaignInputError("--webhook: a URL with credentials is refused (the receiver checks the signature instead)");
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname))) return url;
  throw new CampaignInputError(`--webhook must be an https:// URL (http:// on loopback only), got ${url.protocol}//${url.host}`);
}

/** The signing secret from the environment: required, never printed. */
export function webhookSecret(env: NodeJS.ProcessEnv = process.env): string {
  const secret = env[WEBHOOK_SECRET_ENV];
  if (secret === undefined || secret === "")
    throw new CampaignInputError(`--webhook needs the signing secret in the environment variable ${WEBHOOK_SECRET_ENV}; nothing was sent`);
  return secret;
}

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`, as Stripe signs its webhooks (without the timestamp). */
export function signature(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/** What a request got: an answer, or none (a timeout, a reset, no connection). */
export type DeliveryAnswer = { status: number; retryAfterMs?: number | undefined } | { failure: string };

export type DeliveryDecision =
  { action: "delivered" } | { action: "rejected" } | { action: "retry"; delayMs: number } | { action: "later"; reason: string };

/**
 * Pure: what one answer to a webhook request means (docs/reference.md §19). A 2xx is a delivery;
 * 408, 429, 5xx and no answer are tried again after a backoff (`Retry-After` obeyed, capped at
 * `maxRetryAfterMs`) until `maxAttempts` requests, then left for the next run; any other status
 * is a rejection, never tried again.
 */
export function decideDelivery(
  answer: DeliveryAnswer,
  attempt: number,
  policy: { maxAttempts: number; maxRetryAfterMs: number },
  random: () => number = Math.random,
): DeliveryDecision {
  if ("status" in answer) {
    if (answer.status >= 200 && answer.status < 300) return { action: "delivered" };
    const transient = answer.status === 408 || answer.status === 429 || answer.status >= 500;
    if (!transient) return { action: "rejected" };
  }
  const why = "status" in answer ? `HTTP ${answer.status}` : answer.failure;
  if (attempt >= policy.maxAttempts) return { action: "later", reason: `${why} after ${attempt} attempt(s)` };
  const asked = "status" in answer ? answer.retryAfterMs : undefined;
  const delayMs = asked ?? backoff(attempt, { baseDelayMs: BACKOFF_BASE_MS, maxDelayMs: policy.maxRetryAfterMs }, random);
  return { action: "retry", delayMs: Math.min(delayMs, policy.maxRetryAfterMs) };
}

/** One POST of a record's body, signed; its answer or the failure (the body is read and dropped). */
export async function postRecord(
  dispatcher: Dispatcher,
  url: URL,
  request: { body: string; idempotencyKey: string; secret: string; userAgent: string },
): Promise<DeliveryAnswer> {
  try {
    const response = await dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: "POST",
      headers: {
        "content-type": "application/json",
        "idempotency-key": request.idempotencyKey,
        "x-studio-campaign-signature": signature(request.body, request.secret),
        "user-agent": request.userAgent,
      },
      body: request.body,
      headersTimeout: WEBHOOK_TIMEOUT_MS,
      bodyTimeout: WEBHOOK_TIMEOUT_MS,
    });
    await response.body.dump();
    return { status: response.statusCode, retryAfterMs: parseRetryAfter(response.headers["retry-after"]) };
  } catch (err) {
    const code = typeof err === "object" && err !== null && "code" in err ? String(err.code) : "";
    return { failure: code.includes("TIMEOUT") ? "timeout" : `no answer (${code || (err instanceof Error ? err.message : String(err))})` };
  }
}
