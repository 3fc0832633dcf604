/** Is `zone` an IANA time zone this Node knows? (Light: the campaign file is checked without the number-to-zone tables.) */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
