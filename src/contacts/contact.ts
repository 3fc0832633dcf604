import { unitFields, type UnitRef } from "./unit.js";
/** A contact ready to send: normalized addresses and the Parameters for its Execution. */
export interface Contact {
  row: number;
  to: string;
  from: string;
  parameters: Record<string, unknown>;
  /**
   * The zones its send window is judged in: the row's `columns.timezone` cell, or with a
   * recipient window its number's zone(s); undefined: the window's own zone.
   */
  zones: readonly string[] | undefined;
  /** `columns.notAfter`: past this instant (ms) the contact is never sent (status `expired`). */
  notAfter: number | undefined;
  /** The row's `columns.locale` cell, canonical (docs/reference.md §17); undefined: the campaign's `locale`. */
  locale?: string | undefined;
  /** A standing campaign's row (docs/reference.md §16): the appointment it is for. */
  appointment?: Appointment;
  /** A reminder of that appointment: one unit of work of its own (docs/reference.md §16). */
  reminder?: ReminderUnit;
  /**
   * A reminder in doubt whose appointment left the file (`cancelled`) or moved to another time
   * (`moved`): its doubt is settled — an Execution found is adopted — but it is never sent again.
   */
  retired?: "cancelled" | "moved";
}

/** A standing campaign's row (docs/reference.md §16): the appointment's key, its time, and the zone its wall clock is read in. */
export interface Appointment {
  key: string;
  /** The appointment's time, ms. */
  at: number;
  /** The zone its `d` reminders and `time` are reckoned in: the one the time was read in (UTC without any). */
  zone: string;
  /** The export's cells its time was read from (the `at` cell, and the row's zone cell), as written. */
  cells: string;
}

/**
 * One reminder of an appointment: the unit of work of a standing campaign, and when it is due.
 * A follow-up of a standing campaign has one per source reminder followed up (its unit is that
 * reminder: each appointment's reminder is followed up once, the person as often as reminded).
 */
export interface ReminderUnit {
  /** The appointment's key. */
  key: string;
  /** The reminder's name. */
  name: string;
  /** The appointment time it is for, ISO 8601 UTC (a moved appointment is a new unit). */
  appointmentAt: string;
  /** When it is due; undefined for a follow-up of it (docs/reference.md §13: due when it qualifies). */
  dueAt?: number | undefined;
}

type Skipped<S extends string> = {
  status: S;
  row: number;
  to: string;
  from: string;
  reason: string;
  /** A standing campaign's row: its appointment key, which decides its shard. */
  shardKey?: string;
};

export type RowVerdict =
  | { status: "sendable"; contact: Contact }
  | Skipped<"invalid">
  | Skipped<"duplicate">
  | Skipped<"suppressed">
  /** Left out by `exclude` / `only` (docs/reference.md §17): the reason names the column and its value. */
  | Skipped<"excluded">;

/** The unit of work a contact to send is (`unitKey`): its To and From, and, for a reminder, which one. */
export function unitOf(contact: Pick<Contact, "to" | "from" | "reminder">): UnitRef {
  const { reminder } = contact;
  return reminder
    ? { to: contact.to, from: contact.from, key: reminder.key, reminder: reminder.name, appointmentAt: reminder.appointmentAt }
    : { to: contact.to, from: contact.from };
}

/** What every ledger line about a contact's unit starts with: its row, To and From, and a reminder's fields. */
export function unitLine(contact: Pick<Contact, "row" | "to" | "from" | "reminder">): { row: number } & UnitRef {
  return { row: contact.row, ...unitFields(unitOf(contact)) };
}
