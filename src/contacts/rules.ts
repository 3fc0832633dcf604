import type { RowFilters } from "./row-filters.js";
import type { CsvFormat } from "./csv-format.js";

/** The campaign's `columns` (docs/reference.md §3): which CSV columns hold To, From, zone, deadline, Parameters. */
export interface ContactColumns {
  to: string;
  parameters: string[] | undefined;
  /**
   * `columns.parameters` as an object (docs/reference.md §17): column → the Parameter name it is
   * sent as (`"Patient First"` → `first_name`). Columns not in it are sent under their own name.
   */
  parameterNames?: Readonly<Record<string, string>> | undefined;
  from: string | undefined;
  timezone: string | undefined;
  /** A per-row language tag (BCP 47, `es-US`) for the display times (docs/reference.md §17). */
  locale?: string | undefined;
  notAfter: string | undefined;
  /**
   * The column holding a row's number for the ledger and report, instead of its record number: a
   * follow-up's contacts keep their source campaign's row (docs/reference.md §13). Not a campaign file key.
   */
  row?: string | undefined;
  /**
   * A follow-up's list, when its source is a standing campaign (docs/reference.md §13, §16): the columns naming
   * the source reminder each row follows up, its unit (not a campaign file key). Used when the
   * list's header has them.
   */
  sourceReminder?: { key: string; name: string; appointmentAt: string } | undefined;
}

/** What classifying a row needs of a campaign (a `Campaign` is one; contacts/ does not import campaign/). */
export interface ContactRules {
  contactsPath: string;
  from: string;
  defaultRegion: string | undefined;
  parameters: Readonly<Record<string, string | number | boolean>>;
  columns: ContactColumns;
  /** The send window's zones: with `recipient`, each contact's own (else `fallbackTimezone`). */
  window: { timezone: string; recipient: boolean; fallbackTimezone: string | undefined } | undefined;
  /**
   * A standing campaign's appointment columns (docs/reference.md §16): a row is an appointment — its key and
   * time — and a key seen earlier in the file is the duplicate, not a To and From.
   */
  schedule?: { keyColumn: string; atColumn: string; atTimeColumn?: string | undefined } | undefined;
  /** `dateFormat` (docs/reference.md §17): how the `at` and `notAfter` cells are written; ISO 8601 when unset. */
  dateFormat?: string | undefined;
  /** `exclude` / `only` (docs/reference.md §17): rows left out by a cell's value. */
  filters?: RowFilters | undefined;
  /** `csv` (docs/reference.md §17): the file's delimiter (detected when unset) and encoding. */
  csv?: CsvFormat | undefined;
}
