/** `dateFormat`'s symbols (docs/reference.md §17), judged without loading a date library: the campaign loader asks. */

/** The format without its quoted literals: where symbols are judged. */
export function unquoted(format: string): string {
  return format.replace(/'[^']*'/g, "");
}

/**
 * Why a `dateFormat` cannot be used, or undefined: Moment's `YYYY`/`DD` (in Unicode, the week-year
 * and the day of the year — a silent off-by-days), or a symbol this reader does not take. Pure.
 */
export function dateFormatProblem(format: string): string | undefined {
  const symbols = unquoted(format);
  if (/Y/.test(symbols)) return "Unicode date symbols: yyyy for the year (YYYY is Moment's; in Unicode it is the week-year)";
  if (/D/.test(symbols))
    return "Unicode date symbols: d or dd for the day of the month (DD is Moment's; in Unicode D is the day of the year)";
  const unknown = symbols.match(/[A-Za-z]/g)?.filter((c) => !"yMdHhmsaXxZ".includes(c));
  if (unknown && unknown.length > 0)
    return `made of yyyy yy M MM MMM d dd H HH h hh m mm s ss a XXX xx Z and 'literal text' (not ${JSON.stringify(unknown[0])})`;
  if (!/y/.test(symbols) || !/M/.test(symbols) || !/d/.test(symbols)) return "a format with a year (yyyy), a month (MM) and a day (dd)";
  return undefined;
}

/** Why a `schedule.display` format cannot be used, or undefined: the symbols above plus `EEE`/`EEEE` and `MMMM`; never Moment's. Pure. */
export function displayFormatProblem(format: string): string | undefined {
  const symbols = unquoted(format);
  if (/Y/.test(symbols)) return "Unicode date symbols: yyyy for the year (YYYY is Moment's)";
  if (/D/.test(symbols)) return "Unicode date symbols: d or dd for the day of the month (DD is Moment's)";
  const unknown = symbols.match(/[A-Za-z]/g)?.filter((c) => !"yMdEHhmsa".includes(c));
  if (unknown && unknown.length > 0)
    return `made of yyyy MM MMM MMMM d dd EEE EEEE H HH h hh mm ss a and 'literal text' (not ${JSON.stringify(unknown[0])})`;
  return undefined;
}

/** A BCP 47 tag in its canonical form (`es-us` → `es-US`), or undefined when it is not one. */
export function canonicalLocale(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag.trim())[0];
  } catch {
    return undefined;
  }
}

/**
 * The formats a cell that is not ISO 8601 looks like (`12/04/2026 3:25 PM` → `MM/dd/yyyy h:mm a`
 * and `dd/MM/yyyy h:mm a`): both orders when both fit — never a guess between day-first and
 * month-first. Read by its shape alone (no date library: a standing tick with ISO cells never
 * loads one). Pure.
 */
export function looksLike(text: string): string[] {
  const match = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T]+(\d{1,2}):(\d{2})(:\d{2})?\s*([AaPp]\.?[Mm]\.?)?)?$/.exec(text.trim());
  if (!match) return [];
  const [, a, separator, b, year, hour, , seconds, meridiem] = match;
  const width = (part: string, token: string) => (part.length === 2 ? token + token : token);
  const time =
    hour === undefined ? "" : ` ${meridiem ? width(hour, "h") : width(hour, "H")}:mm${seconds ? ":ss" : ""}${meridiem ? " a" : ""}`;
  const y = year!.length === 4 ? "yyyy" : "yy";
  const monthFirst = `${width(a!, "M")}${separator}${width(b!, "d")}${separator}${y}${time}`;
  const dayFirst = `${width(a!, "d")}${separator}${width(b!, "M")}${separator}${y}${time}`;
  const [first, second] = [Number(a), Number(b)];
  if (first > 31 || second > 31 || (first > 12 && second > 12)) return [];
  if (first > 12) return [dayFirst];
  if (second > 12) return [monthFirst];
  return [monthFirst, dayFirst];
}
