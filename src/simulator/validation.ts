import type { TwilioError } from "./resource.js";

const E164 = /^\+[1-9]\d{1,14}$/;
const CHANNEL_ADDRESS = /^[a-z]+:\+[1-9]\d{1,14}$/; // whatsapp:+1…, messenger-style prefixes
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
const CREATE_FIELDS = new Set(["To", "From", "Parameters"]);

export type CreateRequest = { to: string; from: string; parameters: Record<string, unknown> | undefined };

/** The create body, checked as Twilio's OpenAPI description and the reference require. */
export function parseCreateRequest(form: URLSearchParams): CreateRequest | TwilioError {
  for (const key of form.keys()) {
    if (!CREATE_FIELDS.has(key)) return badRequest(20001, `Unknown parameter: ${key}`);
  }
  const to = form.get("To");
  const from = form.get("From");
  if (!to) return badRequest(21604, "A 'To' phone number is required.");
  if (!from) return badRequest(21603, "A 'From' phone number is required.");
  if (!E164.test(to) && !CHANNEL_ADDRESS.test(to)) return badRequest(21211, `Invalid 'To' Phone Number: ${to}`);
  if (!E164.test(from) && !CHANNEL_ADDRESS.test(from) && !MESSAGING_SERVICE_SID.test(from)) {
    return badRequest(21212, `Invalid 'From' Phone Number: ${from}`);
  }
  const rawParameters = form.get("Parameters");
  if (rawParameters === null) return { to, from, parameters: undefined };
  let parameters: unknown;
  try {
    parameters = JSON.parse(rawParameters);
  } catch {
    return badRequest(20001, "Parameters must be a valid JSON string");
  }
  if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
    return badRequest(20001, "Parameters must be a JSON object");
  }
  return { to, from, parameters: parameters as Record<string, unknown> };
}

/** An ISO 8601 date or date-time, as `DateCreatedFrom/To` take. */
export function parseDateFilter(value: string | null, name: string): number | undefined | TwilioError {
  if (value === null) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    return badRequest(20001, `Invalid ${name}: ${value}`);
  }
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  return Number.isNaN(ms) ? badRequest(20001, `Invalid ${name}: ${value}`) : ms;
}

export function isTwilioError(value: unknown): value is TwilioError {
  return typeof value === "object" && value !== null && "code" in value && "status" in value && "message" in value;
}

function badRequest(code: number, message: string): TwilioError {
  return { status: 400, code, message };
}
