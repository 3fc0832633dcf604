import { PREFIXES, ZONES } from "./time-zone-prefixes.js";

import { isTimeZone } from "./zone-name.js";

export { isTimeZone };

let table: Map<string, readonly string[]> | undefined;
let longestPrefix = 0;

function prefixTable(): Map<string, readonly string[]> {
  if (table) return table;
  // Zones Node does not know (none today) are dropped rather than failing every row later.
  const known = ZONES.map((zone) => (isTimeZone(zone) ? zone : undefined));
  table = new Map();
  for (const entry of PREFIXES.split(",")) {
    const [prefix = "", indexes = ""] = entry.split(":");
    const zones = indexes.split(".").flatMap((i) => known[Number(i)] ?? []);
    table.set(prefix, zones);
    longestPrefix = Math.max(longestPrefix, prefix.length);
  }
  return table;
}

/**
 * The time zones of a phone number from Google libphonenumber's map, by its longest known
 * prefix: one zone for most numbers, several where a prefix spans zones (a toll-free +1 800
 * number maps to every North American zone), none when nothing matches. Numbers are portable,
 * so this is a guess from the number's area: a zone column in the CSV beats it.
 */
export function timeZonesOfNumber(address: string): readonly string[] {
  const digits = address.replace(/^[a-z]+:/, "").replace(/^\+/, "");
  const map = prefixTable();
  for (let length = Math.min(longestPrefix, digits.length); length > 0; length--) {
    const zones = map.get(digits.slice(0, length));
    if (zones) return zones;
  }
  return [];
}
