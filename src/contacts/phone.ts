import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";
import { CHANNEL_PREFIX } from "./sender-format.js";

export type Normalized = { ok: true; address: string } | { ok: false; reason: string };

/**
 * Normalize a contact address to E.164 (Studio tracks a contact's session by it), keeping a
 * `whatsapp:` prefix. National formats need a default region; without one only E.164 is taken.
 */
export function normalizeAddress(raw: string, defaultRegion: string | undefined): Normalized {
  const text = raw.trim();
  if (text === "") return { ok: false, reason: "empty phone number" };
  const channel = CHANNEL_PREFIX.exec(text);
  if (channel) {
    const inner = normalizeNumber(channel[2] ?? "", undefined);
    return inner.ok ? { ok: true, address: `${channel[1]?.toLowerCase()}:${inner.address}` } : inner;
  }
  return normalizeNumber(text, defaultRegion);
}

function normalizeNumber(text: string, defaultRegion: string | undefined): Normalized {
  const trimmed = text.trim();
  if (!trimmed.startsWith("+") && defaultRegion === undefined) {
    return { ok: false, reason: `not in E.164 format and no defaultRegion set: ${JSON.stringify(trimmed)}` };
  }
  const parsed = parsePhoneNumberFromString(trimmed, defaultRegion as CountryCode | undefined);
  if (!parsed || !parsed.isValid()) return { ok: false, reason: `not a valid phone number: ${JSON.stringify(trimmed)}` };
  return { ok: true, address: parsed.number };
}
