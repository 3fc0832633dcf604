/**
 * Is `zone` an IANA time zone this Node knows? (Light: the campaign file is checked without the
 * number-to-zone tables.) A canonical name is looked up in ICU's list (~2 ms the first time); only
 * another spelling — an alias such as "US/Eastern", other letter case — builds a formatter to ask
 * (the first costs ~20 ms: every cron tick checks its campaign's zones).
 */
export function isTimeZone(zone: string): boolean {
  canonical ??= new Set(Intl.supportedValuesOf("timeZone"));
  if (canonical.has(zone)) return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

let canonical: Set<string> | undefined;
