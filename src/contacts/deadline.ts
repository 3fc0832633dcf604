import { instantOfWallClock } from "./zoned-time.js";

/**
 * A row's date-time cell (docs/reference.md §3 `columns.notAfter`, §16 a schedule's `at`): an ISO 8601
 * date-time. With an offset (`Z`, `+02:00`) it is an instant; without one it is a wall-clock time
 * in `zones` — the window's zone, or the contact's own — read "compatible" across DST
 * (`instantOfWallClock`), and when a contact has several zones the earliest instant is taken
 * (never late anywhere); with no zone at all, UTC. A date alone means its midnight.
 */
export function parseDeadline(
  text: string,
  zones: readonly string[],
  /** How the cell is written: ISO 8601 by default, or the campaign's `dateFormat` (docs/reference.md §17). */
  read: DateReader = parseDateTime,
): number | { error: string } {
  const parsed = read(text);
  if ("error" in parsed) return parsed;
  if (parsed.offsetMs !== undefined) return parsed.wall - parsed.offsetMs;
  if (zones.length === 0) return parsed.wall;
  return Math.min(...zones.map((zone) => instantOfWallClock(parsed.wall, zone)));
}

/** A date-time cell read: its wall-clock fields (as a UTC-encoded number), and its offset if it gives one. */
export type ParsedDateTime = { wall: number; offsetMs: number | undefined };
export type DateReader = (text: string) => ParsedDateTime | { error: string };

/** An ISO 8601 date-time's wall-clock fields (as a UTC-encoded number) and its offset, if it gives one. */
export function parseDateTime(text: string): ParsedDateTime | { error: string } {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
    text.trim(),
  );
  if (!match) return { error: `not an ISO 8601 date-time: ${JSON.stringify(text)} (e.g. 2026-12-01T09:00 or 2026-12-01T09:00:00-05:00)` };
  const [, y, mo, d, h = "0", mi = "0", s = "0", ms = "0", offset] = match;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms.padEnd(3, "0"))] as const;
  const wall = Date.UTC(...fields);
  const check = new Date(wall);
  if (check.getUTCMonth() !== fields[1] || check.getUTCDate() !== fields[2] || fields[3] > 23)
    return { error: `not a valid date-time: ${JSON.stringify(text)}` };
  if (offset === undefined) return { wall, offsetMs: undefined };
  if (offset.toUpperCase() === "Z") return { wall, offsetMs: 0 };
  const [, sign, oh, om] = /^([+-])(\d{2}):?(\d{2})$/.exec(offset)!;
  return { wall, offsetMs: (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000 };
}
