/**
 * One CSV cell (RFC 4180), escaped against spreadsheet formula injection (SPEC §6): a cell that
 * starts with `=`, `@`, tab or CR, or with `+` or `-` followed by anything but digits, gets a
 * leading `'`. A plain E.164 number such as `+15017122661` stays as it is.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (/^[=@\t\r]/.test(text) || /^[+-](?!\d+$)/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: Array<string | number | null | undefined>): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
