/**
 * A row's `columns.notAfter` cell (SPEC §3): an ISO 8601 date-time. With an offset (`Z`,
 * `+02:00`) it is an instant; without one it is a wall-clock time in `zones` — the window's
 * zone, or the contact's own — and when a contact has several zones the earliest instant is
 * taken (never late anywhere); with no zone at all, UTC. A date alone means its midnight.
 */
export function parseDeadline(text: string, zones: readonly string[]): number | { error: string } {
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
  if (offset !== undefined) {
    if (offset.toUpperCase() === "Z") return wall;
    const [, sign, oh, om] = /^([+-])(\d{2}):?(\d{2})$/.exec(offset)!;
    return wall - (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  }
  if (zones.length === 0) return wall;
  return Math.min(...zones.map((zone) => wallClockToInstant(wall, zone)));
}

/** The instant at which the clock in `zone` shows `wall` (a UTC-encoded wall time); DST-aware. */
export function wallClockToInstant(wall: number, zone: string): number {
  let instant = wall - zoneOffset(zone, wall);
  instant = wall - zoneOffset(zone, instant); // the offset at the instant itself, across a DST change
  return instant;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at `at`, ms (New York in winter: −5 h). */
function zoneOffset(zone: string, at: number): number {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, format);
  }
  const p = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, Number(part.value)]));
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(at / 1000) * 1000;
}
