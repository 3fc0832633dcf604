import { UTCDate } from "@date-fns/utc";
import { isValid } from "date-fns/isValid";
import { parse } from "date-fns/parse";
import type { ParsedDateTime } from "./deadline.js";
import { unquoted } from "./date-symbols.js";

/**
 * `dateFormat` (docs/reference.md §17): the date-time cells as the export writes them, in
 * Unicode date-field symbols as ICU, Luxon and date-fns write them (`MM/dd/yyyy h:mm a`). Parsed
 * by date-fns against a UTC calendar, so the result is the wall clock's fields; the zone rules of
 * §16 (the contact's zone, the DST gap and overlap) stay the one implementation in `zoned-time.ts`.
 * An offset in the format (`XXX`, `xx`, `Z`) makes the cell an instant.
 */
export function dateReader(format: string): (text: string) => ParsedDateTime | { error: string } {
  const pattern = toDateFns(format);
  const hasOffset = /[Xx]/.test(unquoted(pattern));
  return (text) => {
    const cell = text.trim().replace(/\b(am|pm)\b/i, (m) => m.toUpperCase());
    const date = parse(cell, pattern, new UTCDate(0));
    if (!isValid(date)) return { error: `not a date-time in the dateFormat ${JSON.stringify(format)}: ${JSON.stringify(text.trim())}` };
    return hasOffset ? { wall: date.getTime(), offsetMs: 0 } : { wall: date.getTime(), offsetMs: undefined };
  };
}

/** ICU's `Z` (an offset, -0800) is date-fns's `xx`. */
function toDateFns(format: string): string {
  return format.replace(/('[^']*')|Z+/g, (match, quoted: string | undefined) => quoted ?? "xx");
}
