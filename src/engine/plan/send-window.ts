import { WEEKDAYS, type SendWindow, type Weekday } from "../../campaign/campaign.js";
import { instantOfWallClock, wallClockAt } from "../../contacts/zoned-time.js";

const formatters = new Map<string, Intl.DateTimeFormat>();

function localTime(zone: string, at: number): { day: Weekday; minute: number } {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone: zone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  const day = String(parts.weekday).slice(0, 3).toLowerCase() as Weekday;
  return { day, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** The zones a contact's window is judged in: its own (row column, or its number's), else the window's. */
export function windowZones(window: SendWindow, contactZones: readonly string[] | undefined): readonly string[] {
  return contactZones && contactZones.length > 0 ? contactZones : [window.timezone];
}

/**
 * Is `at` inside the send window in every one of `zones`? A number that maps to several zones
 * is sent only while the window is open in all of them (docs/reference.md §3).
 */
export function isInsideWindow(window: SendWindow, at: number, zones: readonly string[] = [window.timezone]): boolean {
  return zones.every((zone) => {
    const local = localTime(zone, at);
    return window.days.has(local.day) && local.minute >= window.startMinute && local.minute < window.endMinute;
  });
}

/** The next instant (to the minute) at which the window is open in all `zones`, within 8 days. */
export function nextOpening(window: SendWindow, at: number, zones: readonly string[] = [window.timezone]): number | undefined {
  const start = Math.ceil(at / 60_000) * 60_000;
  for (let t = start; t < start + 8 * 24 * 60 * 60_000; t += 60_000) {
    if (isInsideWindow(window, t, zones)) return t;
  }
  return undefined;
}

const DAY = 86_400_000;

/**
 * The spans within [from, to) when the window is open in every one of `zones`: each zone's open
 * spans (its days, its start and end, on its own calendar and across its DST changes), intersected.
 * Pure but for the zone offsets' cache.
 */
export function openSpans(
  window: SendWindow,
  from: number,
  to: number,
  zones: readonly string[] = [window.timezone],
): Array<[number, number]> {
  let spans: Array<[number, number]> = [[from, to]];
  for (const zone of zones) spans = intersect(spans, zoneSpans(window, zone, from, to));
  return spans;
}

/** Does the window open in every one of `zones` at some moment in [from, to)? (A reminder that can never be sent if not.) */
export function opensBetween(window: SendWindow, from: number, to: number, zones?: readonly string[]): boolean {
  return to > from && openSpans(window, from, Math.min(to, from + 8 * DAY), zones).length > 0;
}

function zoneSpans(window: SendWindow, zone: string, from: number, to: number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const firstDay = Math.floor(wallClockAt(from, zone) / DAY) - 1;
  const lastDay = Math.floor(wallClockAt(to, zone) / DAY) + 1;
  for (let day = firstDay; day <= lastDay; day++) {
    if (!window.days.has(WEEKDAYS[new Date(day * DAY).getUTCDay()]!)) continue;
    const start = instantOfWallClock(day * DAY + window.startMinute * 60_000, zone);
    const end = instantOfWallClock(day * DAY + window.endMinute * 60_000, zone);
    if (end > from && start < to) spans.push([Math.max(start, from), Math.min(end, to)]);
  }
  return spans;
}

function intersect(a: Array<[number, number]>, b: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [s1, e1] of a)
    for (const [s2, e2] of b) if (Math.max(s1, s2) < Math.min(e1, e2)) out.push([Math.max(s1, s2), Math.min(e1, e2)]);
  return out.sort((x, y) => x[0] - y[0]);
}

/** The window in words for the report: "09:00–20:00 Mon–Fri, America/New_York" (or "each contact's own zone"). */
export function describeWindow(window: SendWindow): string {
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  const order: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  const days = order.filter((d) => window.days.has(d)).map((d) => d[0]!.toUpperCase() + d.slice(1));
  const zone = window.recipient
    ? `each contact's own time zone${window.fallbackTimezone ? ` (else ${window.fallbackTimezone})` : ""}`
    : window.timezone;
  return `${hhmm(window.startMinute)}–${hhmm(window.endMinute)} ${days.length === 7 ? "every day" : days.join(", ")}, ${zone}`;
}

/**
 * The zone an operator's line shows a time in (docs/reference.md §17): the window's, else UTC —
 * with the offset either way. A window in each contact's own zone has no one zone: UTC.
 */
export function displayZone(window: SendWindow | undefined): string {
  return window && !window.recipient ? window.timezone : "UTC";
}
