/**
 * Wall-clock time in an IANA zone, the way Temporal's ZonedDateTime does it
 * (https://tc39.es/proposal-temporal/docs/zoneddatetime.html): adding days keeps the wall-clock
 * time across a DST change, adding hours or minutes is exact, and a wall-clock time read in a zone
 * is resolved "compatible" — one in the spring-forward gap is read as the time after the gap (the
 * clock had not moved yet: the offset from before it), one that occurs twice in the fall-back
 * hour as the first. A wall-clock time is a number: its fields as if it were UTC (`Date.UTC(...)`).
 * Pure but for a cache of offsets; no library: Node's Intl has the tz database.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The zone's offset through each hour it was asked about: set when the hour starts and ends at the same offset. */
const offsets = new Map<string, Map<number, number>>();
const MAX_CACHED_HOURS = 200_000;

/** The zone's offset from UTC at `at`, ms (New York in winter: −5 h). */
export function offsetAt(zone: string, at: number): number {
  let byHour = offsets.get(zone);
  if (!byHour) offsets.set(zone, (byHour = new Map()));
  const hour = Math.floor(at / HOUR);
  const cached = byHour.get(hour);
  if (cached !== undefined) return cached;
  // No zone changes its offset twice within an hour: the same offset at both ends holds throughout.
  const start = exactOffset(zone, hour * HOUR);
  if (start !== exactOffset(zone, (hour + 1) * HOUR - 1000)) return exactOffset(zone, at);
  if (byHour.size >= MAX_CACHED_HOURS) byHour.clear();
  byHour.set(hour, start);
  return start;
}

function exactOffset(zone: string, at: number): number {
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

/** The wall-clock time `zone`'s clock shows at `at`. */
export function wallClockAt(at: number, zone: string): number {
  return at + offsetAt(zone, at);
}

/**
 * The instant at which `zone`'s clock shows `wall`, resolved "compatible": in a gap, the time
 * after it (02:30 on a spring-forward night in New York is 03:30 EDT); in an overlap, the first
 * (01:30 on a fall-back night is 01:30 EDT).
 */
export function instantOfWallClock(wall: number, zone: string): number {
  const before = offsetAt(zone, wall - DAY);
  const after = offsetAt(zone, wall + DAY);
  const candidates = [wall - before, wall - after].filter((at) => wallClockAt(at, zone) === wall);
  if (candidates.length > 0) return Math.min(...candidates);
  return wall - before; // a gap: as if the clock had not moved yet
}

/** `days` calendar days after (or before) `at` in `zone`: the same wall-clock time on that date. */
export function addCalendarDays(at: number, days: number, zone: string): number {
  return instantOfWallClock(wallClockAt(at, zone) + days * DAY, zone);
}

/** The instant of `minuteOfDay` (0–1440) on the date `at` falls on in `zone`. */
export function atMinuteOfDay(at: number, minuteOfDay: number, zone: string): number {
  const wall = wallClockAt(at, zone);
  return instantOfWallClock(wall - (((wall % DAY) + DAY) % DAY) + minuteOfDay * 60_000, zone);
}

/**
 * `at` as people in `zone` read it, with its offset (ISO 8601, to the second):
 * `2026-12-05T10:00:00-08:00` (docs/reference.md §17 "Times for people"); UTC is `+00:00`.
 */
export function localIso(at: number, zone: string): string {
  const offset = offsetAt(zone, at);
  const wall = new Date(at + offset).toISOString().slice(0, 19);
  const minutes = Math.abs(offset) / 60_000;
  const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
  const mm = String(minutes % 60).padStart(2, "0");
  return `${wall}${offset < 0 ? "-" : "+"}${hh}:${mm}`;
}
