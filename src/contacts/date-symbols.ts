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
