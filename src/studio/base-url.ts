import { StudioCampaignError } from "../errors.js";

export const DEFAULT_STUDIO_URL = "https://studio.twilio.com";
/** Programmable Messaging (the Message resource, docs/reference.md §12). */
export const DEFAULT_API_URL = "https://api.twilio.com";

export class InsecureBaseUrlError extends StudioCampaignError {
  override readonly name = "InsecureBaseUrlError";

  constructor(message: string) {
    super("INSECURE_BASE_URL", message);
  }
}

/**
 * Parse the API base URL. Plain `http://` is allowed to loopback only: anywhere else the Basic
 * credentials would cross the network in clear (docs/reference.md §2).
 */
export function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InsecureBaseUrlError(`invalid Studio base URL: ${JSON.stringify(raw)}`);
  }
  if (url.username || url.password) throw new InsecureBaseUrlError("the Studio base URL must not contain credentials");
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  throw new InsecureBaseUrlError(
    `refusing ${url.protocol}//${url.host}: credentials would travel in clear; use https:// (http:// is allowed to loopback only)`,
  );
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host === "::1") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
