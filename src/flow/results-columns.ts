/** One report column of contacts' answers (docs/reference.md §11): its name and its path into `context`. */
export interface ResultsColumn {
  name: string;
  path: string;
}

/**
 * The results columns: the campaign's `results` map in its order; without it, one column per
 * Send & Wait For Reply widget (as the preflight recorded them), named after the widget, at
 * the contact's reply `widgets.<name>.inbound.Body`
 * (https://www.twilio.com/docs/studio/widget-library/send-wait-reply).
 */
export function resultsColumns(
  configured: ReadonlyArray<ResultsColumn> | undefined,
  questions: readonly string[] | undefined,
): ResultsColumn[] {
  if (configured && configured.length > 0) return [...configured];
  return (questions ?? []).map((name) => ({ name, path: `widgets.${name}.inbound.Body` }));
}

/**
 * The value at a dotted path into an Execution Context's `context` object; `undefined` when
 * any step is missing. A segment that is a whole number also indexes an array.
 */
export function valueAtPath(context: unknown, path: string): unknown {
  let value: unknown = context;
  for (const segment of path.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** A report cell: strings as they are, other values as JSON text, absent as empty. */
export function resultCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}
