/**
 * The one CSV writer: the report, the opt-out list, a follow-up's list and the
 * `opt-outs` listing are written here. RFC 4180: a cell with a comma, a quote or a line break is
 * quoted, its quotes doubled. Files people open in a spreadsheet (the report, a listing printed
 * for them) also escape formula injection (docs/reference.md §6); files the tool reads back as input (the
 * opt-out list, a follow-up's contacts) keep every value as it is.
 */
export type CsvCell = string | number | boolean | null | undefined;

export interface CsvStyle {
  /** `escape`: a cell that starts with `=`, `@`, tab or CR, or with `+`/`-` and anything but digits, gets a leading `'`. */
  formulas: "escape" | "keep";
  /** CRLF (RFC 4180, what spreadsheets expect) or LF (a file appended to by the tool, read line by line). */
  eol: "\r\n" | "\n";
}

/** For people: formulas escaped, CRLF. */
export const FOR_PEOPLE: CsvStyle = { formulas: "escape", eol: "\r\n" };
/** For the tool to read back: values kept, LF. */
export const AS_INPUT: CsvStyle = { formulas: "keep", eol: "\n" };

/**
 * One CSV cell (RFC 4180), escaped against spreadsheet formula injection when the style says so:
 * a plain E.164 number such as `+15017122661` stays as it is.
 */
export function csvCell(value: CsvCell, style: Pick<CsvStyle, "formulas"> = FOR_PEOPLE): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (style.formulas === "escape" && (/^[=@\t\r]/.test(text) || /^[+-](?!\d+$)/.test(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record: its cells, then the line break. */
export function csvRecord(values: readonly CsvCell[], style: CsvStyle = FOR_PEOPLE): string {
  return `${values.map((value) => csvCell(value, style)).join(",")}${style.eol}`;
}
