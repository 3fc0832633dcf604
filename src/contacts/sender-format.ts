/**
 * The shape of a sender, checked by pattern alone: the campaign file is validated without loading
 * libphonenumber-js (a cron rerun with nothing to send never normalizes a number).
 */
const E164 = /^\+[1-9]\d{1,14}$/;
export const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
export const CHANNEL_PREFIX = /^(whatsapp):(.*)$/i;

/** A sender: E.164, whatsapp:+E.164, or a Messaging Service SID. */
export function isValidSender(value: string): boolean {
  if (MESSAGING_SERVICE_SID.test(value)) return true;
  const channel = CHANNEL_PREFIX.exec(value);
  return E164.test(channel ? (channel[2] ?? "") : value);
}
