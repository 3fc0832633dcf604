import type { SendWindow, Weekday } from "./campaign.js";

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

/** Is `at` inside the send window, in `zone` (the row's) or else the window's own zone? */
export function isInsideWindow(window: SendWindow, at: number, zone: string = window.timezone): boolean {
  const local = localTime(zone, at);
  return window.days.has(local.day) && local.minute >= window.startMinute && local.minute < window.endMinute;
}

/** The next instant (to the minute) at which the window opens, within the coming 8 days. */
export function nextOpening(window: SendWindow, at: number, zone: string = window.timezone): number | undefined {
  const start = Math.ceil(at / 60_000) * 60_000;
  for (let t = start; t < start + 8 * 24 * 60 * 60_000; t += 60_000) {
    if (isInsideWindow(window, t, zone)) return t;
  }
  return undefined;
}
