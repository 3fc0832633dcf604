import { parseDateTime, parseDeadline, type DateReader } from "./deadline.js";
import { isTimeZone, timeZonesOfNumber } from "./time-zones.js";
import type { Appointment, ReminderUnit, RowVerdict } from "./contact.js";
import { unitKey } from "./unit.js";
import { SeenKeys } from "./seen-keys.js";
import { StringSet } from "./string-set.js";
import { checkHeader, parameterKeysOf } from "./header.js";
import { exclusionOf } from "./row-filters.js";
import { canonicalLocale } from "./date-symbols.js";
import type { ContactColumns, ContactRules } from "./rules.js";
import { normalizeAddress, type Normalized } from "./phone.js";
import { MESSAGING_SERVICE_SID } from "./sender-format.js";
import type { CsvRecord } from "./read-csv.js";

export interface ClassifierOptions {
  /** Numbers on the suppression list (docs/reference.md §3). */
  suppressed?: ReadonlySet<string> | undefined;
  /** The keys of the rows before this reading starts (a checkpoint's prefix), if any. */
  seen?: SeenKeys | undefined;
  /**
   * Addresses an earlier run normalized (as they came out: E.164, with a channel prefix if any):
   * a cell that is one of them exactly is taken as it is, without parsing it again — a standing
   * campaign's snapshot repeats its numbers every tick, and parsing is most of reading a row.
   */
  knownAddresses?: ReadonlySet<string> | undefined;
  /** How date-time cells are read (`dateFormat`, docs/reference.md §17): ISO 8601 when not given. */
  readDate?: DateReader | undefined;
  /** Numbers already normalized elsewhere (numbers-ahead.ts), by the cell as `numberCells` gives it: a head start, never a verdict of its own. */
  numbers?: { get(cell: string): Normalized | undefined } | undefined;
}

/**
 * Turns CSV records into verdicts: invalid, duplicate (a key seen earlier in the file),
 * suppressed, or sendable. Keeps only the keys it has seen, never the rows.
 */
export class RowClassifier {
  readonly #campaign: ContactRules;
  readonly #parameterColumns: string[];
  readonly #suppressed: ReadonlySet<string>;
  readonly #seen: SeenKeys;
  /** A standing campaign's appointment keys seen so far (docs/reference.md §16: the duplicate rule is by key), or a follow-up's source reminders. */
  readonly #appointmentKeys = new StringSet();
  /** A follow-up of reminders: its list's source reminder columns. */
  readonly #sourceReminder: ContactColumns["sourceReminder"];

  readonly #knownAddresses: ReadonlySet<string>;
  readonly #numbers: ClassifierOptions["numbers"];
  readonly #readDate: DateReader;

  constructor(campaign: ContactRules, header: string[], options: ClassifierOptions = {}) {
    this.#campaign = campaign;
    this.#suppressed = options.suppressed ?? new Set();
    this.#seen = options.seen ?? new SeenKeys(campaign.from);
    this.#knownAddresses = options.knownAddresses ?? new Set();
    this.#numbers = options.numbers;
    this.#readDate = options.readDate ?? parseDateTime;
    this.#parameterColumns = checkHeader(campaign, header).parameterColumns;
    const source = campaign.columns.sourceReminder;
    this.#sourceReminder = source && header.includes(source.key) ? source : undefined;
  }

  /** Every Parameters key a contact is sent: the static ones and the parameter columns. */
  get parameterKeys(): string[] {
    return parameterKeysOf(this.#campaign, this.#parameterColumns);
  }

  classify(record: CsvRecord): RowVerdict {
    const { columns } = this.#campaign;
    if ("error" in record) return { status: "invalid", row: record.row, to: "", from: "", reason: record.error };
    const { fields } = record;
    const row = columns.row === undefined ? record.row : Number(fields[columns.row] ?? record.row) || record.row;
    const [rawTo, rawFrom] = [toCell(columns, fields), fromCell(columns, fields) ?? this.#campaign.from];
    const schedule = this.#campaign.schedule;
    const shardKey = schedule ? (fields[schedule.keyColumn] ?? "").trim() || undefined : undefined;
    const skipped = <S extends "invalid" | "excluded">(status: S, reason: string) =>
      ({ status, row, to: rawTo.trim(), from: rawFrom, reason, ...(shardKey ? { shardKey } : {}) }) as RowVerdict;
    const invalid = (reason: string): RowVerdict => skipped("invalid", reason);
    // Excluded before anything else is judged: a cancelled appointment's row is not an invalid one.
    const excluded = exclusionOf(this.#campaign.filters, fields);
    if (excluded) return skipped("excluded", excluded);
    const to = this.#normalize(rawTo);
    if (!to.ok) return invalid(`${columns.to}: ${to.reason}`);
    let from = rawFrom;
    if (columns.from !== undefined && !isServiceSid(rawFrom)) {
      const normalized = this.#normalize(rawFrom);
      if (!normalized.ok) return invalid(`${columns.from}: ${normalized.reason}`);
      from = normalized.address;
    }
    const times = this.#times(fields, to.address);
    if ("invalid" in times) return invalid(times.invalid);
    const { zones, notAfter, appointment } = times;
    const reminder = this.#sourceReminder && readSourceReminder(fields, this.#sourceReminder);
    if (reminder && "invalid" in reminder) return invalid(reminder.invalid);
    const duplicate = appointment
      ? !this.#addAppointment(appointment.key) && "the same appointment key as an earlier row"
      : reminder
        ? !this.#addAppointment(
            unitKey({ to: to.address, from, key: reminder.key, reminder: reminder.name, appointmentAt: reminder.appointmentAt }),
          ) && "the same reminder as an earlier row"
        : !this.#seen.add(to.address, from) && "same To and From as an earlier row";
    if (duplicate) return { status: "duplicate", row, to: to.address, from, reason: duplicate, ...(shardKey ? { shardKey } : {}) };
    // An opt-out holds for the person on every channel: whatsapp:+1… is suppressed by +1….
    const number = to.address.replace(/^[a-z]+:/, "");
    if (this.#suppressed.has(number) || this.#suppressed.has(to.address))
      return { status: "suppressed", row, to: to.address, from, reason: "on the suppression list", ...(shardKey ? { shardKey } : {}) };

    // A cell that is not a language tag falls back to the campaign's locale: a reminder is not lost to a typo.
    const locale = columns.locale === undefined ? undefined : canonicalLocale(fields[columns.locale] ?? "");
    const parameters = this.#parametersOf(fields);
    return {
      status: "sendable",
      contact: {
        row,
        to: to.address,
        from,
        parameters,
        zones,
        notAfter,
        ...(appointment ? { appointment } : {}),
        ...(locale ? { locale } : {}),
        ...(reminder ? { reminder } : {}),
      },
    };
  }

  /** The row's Parameters: the static ones, then each parameter column under its Parameter name. */
  #parametersOf(fields: Record<string, string>): Record<string, unknown> {
    const parameters: Record<string, unknown> = { ...this.#campaign.parameters };
    const names = this.#campaign.columns.parameterNames;
    for (const column of this.#parameterColumns) parameters[names?.[column] ?? column] = fields[column] ?? "";
    return parameters;
  }

  /** The address normalized (docs/reference.md §3), or as it is when an earlier run normalized it to exactly this. */
  #normalize(raw: string): Normalized {
    if (this.#knownAddresses.has(raw)) return { ok: true, address: raw };
    return this.#numbers?.get(raw) ?? normalizeAddress(raw, this.#campaign.defaultRegion);
  }

  #addAppointment(key: string): boolean {
    return this.#appointmentKeys.add(key);
  }

  /** The row's zones (its window's, docs/reference.md §3), its `notAfter`, and a standing campaign's appointment: or why they are not valid. */
  #times(
    fields: Record<string, string>,
    to: string,
  ): { zones: readonly string[] | undefined; notAfter: number | undefined; appointment: Appointment | undefined } | { invalid: string } {
    const { columns, window, schedule } = this.#campaign;
    let zones: readonly string[] | undefined;
    if (columns.timezone !== undefined) {
      const zone = (fields[columns.timezone] ?? "").trim();
      if (zone !== "" && !isTimeZone(zone)) return { invalid: `${columns.timezone}: unknown time zone ${JSON.stringify(zone)}` };
      zones = zone === "" ? undefined : [zone];
    }
    if (window?.recipient && zones === undefined) {
      // The CSV's zone wins; the number's area is a guess (numbers are portable).
      const ofNumber = timeZonesOfNumber(to);
      if (ofNumber.length > 0) zones = ofNumber;
      else if (window.fallbackTimezone !== undefined) zones = [window.fallbackTimezone];
      else
        return { invalid: `${columns.to}: no time zone is known for this number: give window.fallbackTimezone or a columns.timezone cell` };
    }
    const local = zones ?? (window ? [window.timezone] : []);
    let notAfter: number | undefined;
    const notAfterCell = columns.notAfter === undefined ? "" : (fields[columns.notAfter] ?? "").trim();
    if (notAfterCell !== "") {
      const deadline = parseDeadline(notAfterCell, local, this.#readDate);
      if (typeof deadline !== "number") return { invalid: `${columns.notAfter}: ${deadline.error}` };
      notAfter = deadline;
    }
    if (!schedule) return { zones, notAfter, appointment: undefined };
    const zoneCell = columns.timezone === undefined ? undefined : (fields[columns.timezone] ?? "").trim();
    const appointment = readAppointment(fields, schedule, { zones: local, zoneCell, read: this.#readDate });
    return "invalid" in appointment ? appointment : { zones, notAfter, appointment };
  }
}

/** The To cell as the classifier normalizes it (untrimmed: `normalizeAddress` trims). */
function toCell(columns: ContactColumns, fields: Record<string, string>): string {
  return fields[columns.to] ?? "";
}

/** The From cell, trimmed, when the file has a From column. */
function fromCell(columns: ContactColumns, fields: Record<string, string>): string | undefined {
  return columns.from !== undefined ? (fields[columns.from] ?? "").trim() : undefined;
}

function isServiceSid(from: string): boolean {
  return MESSAGING_SERVICE_SID.test(from);
}

/** The cells of a record `RowClassifier.classify` may normalize as numbers, as it passes them (`ClassifierOptions.numbers`). */
export function numberCells(columns: ContactColumns, record: CsvRecord): string[] {
  if ("error" in record) return [];
  const from = fromCell(columns, record.fields);
  const to = toCell(columns, record.fields);
  return from === undefined || isServiceSid(from) ? [to] : [to, from];
}

/** The key and `at` cells: an empty key, or a time that is not one, is an invalid row naming the column. */
function readAppointment(
  fields: Record<string, string>,
  schedule: NonNullable<ContactRules["schedule"]>,
  how: { zones: readonly string[]; zoneCell: string | undefined; read: DateReader },
): Appointment | { invalid: string } {
  const { zones, zoneCell } = how;
  const key = (fields[schedule.keyColumn] ?? "").trim();
  if (key === "") return { invalid: `${schedule.keyColumn}: empty appointment key` };
  // Two columns (a date and a time) are read as their cells joined with one space.
  const time = schedule.atTimeColumn === undefined ? undefined : (fields[schedule.atTimeColumn] ?? "").trim();
  const date = (fields[schedule.atColumn] ?? "").trim();
  const text = time === undefined ? date : `${date} ${time}`.trim();
  const atName = schedule.atTimeColumn === undefined ? schedule.atColumn : `${schedule.atColumn} + ${schedule.atTimeColumn}`;
  if (text === "") return { invalid: `${atName}: empty appointment time` };
  // Read in each of the contact's zones; the earliest instant wins (never late anywhere), with its zone.
  let best: { at: number; zone: string } | undefined;
  for (const zone of zones.length > 0 ? zones : ["UTC"]) {
    const at = parseDeadline(text, [zone], how.read);
    if (typeof at !== "number") return { invalid: `${atName}: ${at.error}` };
    if (best === undefined || at < best.at) best = { at, zone };
  }
  // The cells its time was read from, as written: the same cells read as another time later (the
  // campaign's zone changed) are a re-reading, not a move (docs/reference.md §17).
  const cells = zoneCell === undefined ? text : `${text}\u001f${zoneCell}`;
  return { key, ...best!, cells };
}

/** A follow-up's source reminder (its list names it in full, or the list was damaged). */
function readSourceReminder(
  fields: Record<string, string>,
  columns: NonNullable<ContactColumns["sourceReminder"]>,
): ReminderUnit | { invalid: string } {
  const unit = { key: fields[columns.key] ?? "", name: fields[columns.name] ?? "", appointmentAt: fields[columns.appointmentAt] ?? "" };
  const empty = Object.entries(columns).find(([field]) => unit[field as keyof typeof unit] === "");
  return empty ? { invalid: `${empty[1]}: empty (the follow-up's list names the reminder it follows up)` } : unit;
}

/**
 * The key `RowClassifier.classify` kept for a row: every row's but an invalid one's or a
 * duplicate's (already kept). A standing campaign keeps appointment keys, not these: none.
 */
export function keptKey(verdict: RowVerdict): { to: string; from: string } | undefined {
  if (verdict.status === "sendable") return verdict.contact.appointment || verdict.contact.reminder ? undefined : verdict.contact;
  return verdict.status === "suppressed" ? verdict : undefined;
}
