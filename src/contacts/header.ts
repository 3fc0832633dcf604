import { CampaignInputError } from "../errors.js";
import type { ContactRules } from "./rules.js";
import { filterColumns } from "./row-filters.js";
import { delimiterHint } from "./csv-format.js";

/**
 * The contacts file's header against the campaign's columns: every named column must be there
 * (an error names the file, line 1 and the key), and the parameter columns are the named ones,
 * else every column that is not To, From, zone, deadline, row or a follow-up's source reminder. Pure, and light: `run`'s first
 * look at its contacts checks the header without loading the number parser.
 */
export function checkHeader(
  campaign: Pick<ContactRules, "contactsPath" | "columns" | "schedule" | "filters">,
  header: readonly string[],
  /** The delimiter the header was read with, to say when another one would give it the column. */
  delimiter = ",",
): { parameterColumns: string[] } {
  const { columns, schedule } = campaign;
  const missing = (column: string, key: string) =>
    new CampaignInputError(
      `${campaign.contactsPath}: line 1: the header has no "${column}" column (${key})${delimiterHint(header, column, delimiter)}`,
    );
  const named = {
    "columns.from": columns.from,
    "columns.timezone": columns.timezone,
    "columns.notAfter": columns.notAfter,
    "columns.locale": columns.locale,
    "schedule.key": schedule?.keyColumn,
    [schedule?.atTimeColumn ? "schedule.at.date" : "schedule.at"]: schedule?.atColumn,
    "schedule.at.time": schedule?.atTimeColumn,
  };
  for (const { key, column } of filterColumns(campaign.filters)) if (!header.includes(column)) throw missing(column, key);
  for (const [key, column] of Object.entries(named)) if (column !== undefined && !header.includes(column)) throw missing(column, key);
  const source = columns.sourceReminder;
  const special = new Set(
    [
      columns.to,
      columns.from,
      columns.timezone,
      columns.notAfter,
      columns.locale,
      columns.row,
      source?.key,
      source?.name,
      source?.appointmentAt,
    ].filter((c): c is string => c !== undefined),
  );
  const parameterColumns = columns.parameters ?? header.filter((name) => !special.has(name));
  for (const column of parameterColumns) {
    if (!header.includes(column)) {
      throw missing(column, "columns.parameters");
    }
  }
  if (schedule && parameterColumns.includes("reminder"))
    throw new CampaignInputError(
      `${campaign.contactsPath}: line 1: a parameter column is named "reminder", the Parameter each reminder's name is sent as ` +
        `(rename it, or leave it out of columns.parameters)`,
    );
  return { parameterColumns };
}

/** Every Parameters key a contact is sent: the static ones and the parameter columns. */
export function parameterKeysOf(campaign: Pick<ContactRules, "parameters" | "columns">, parameterColumns: readonly string[]): string[] {
  const names = campaign.columns.parameterNames;
  return [...new Set([...Object.keys(campaign.parameters), ...parameterColumns.map((column) => names?.[column] ?? column)])];
}
