/**
 * `exclude` and `only` (docs/reference.md §17): column → values, compared trimmed and
 * case-insensitively. A row whose cell is one of an `exclude` column's values, or none of an
 * `only` column's values, is excluded — a booking system's `Status` column saying `Cancelled`
 * is how most exports say an appointment is off, not a removed row.
 */
export interface RowFilters {
  exclude: ReadonlyArray<{ column: string; values: ReadonlySet<string> }>;
  only: ReadonlyArray<{ column: string; values: ReadonlySet<string> }>;
}

/** How cells are compared: trimmed, case-folded. */
export const filterValue = (cell: string): string => cell.trim().toLocaleLowerCase("en-US");

/** Why the row is excluded (`Status is "Cancelled"`), or undefined when it is kept. Pure. */
export function exclusionOf(filters: RowFilters | undefined, fields: Readonly<Record<string, string>>): string | undefined {
  if (!filters) return undefined;
  for (const { column, values } of filters.exclude) {
    const cell = fields[column] ?? "";
    if (values.has(filterValue(cell))) return `${column} is ${JSON.stringify(cell.trim())}`;
  }
  for (const { column, values } of filters.only) {
    const cell = fields[column] ?? "";
    if (!values.has(filterValue(cell))) return `${column} is ${JSON.stringify(cell.trim())}, not one of only.${column}`;
  }
  return undefined;
}

/** Every column the filters name (each must be in the header). */
export function filterColumns(filters: RowFilters | undefined): Array<{ key: string; column: string }> {
  if (!filters) return [];
  return [
    ...filters.exclude.map(({ column }) => ({ key: `exclude.${column}`, column })),
    ...filters.only.map(({ column }) => ({ key: `only.${column}`, column })),
  ];
}
