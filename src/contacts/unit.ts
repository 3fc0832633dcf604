/**
 * The unit of work: what one Execution is for, at most once ever. A survey's is the
 * contact key of docs/reference.md §4, the normalized To plus the From. A standing campaign's (docs/reference.md §16) is one
 * reminder of one appointment at one time: the appointment's key × the reminder's name × the
 * appointment time — not the phone number (one person with three appointments gets each one's
 * reminders), and a moved appointment is new units. Its identity is defined here and nowhere
 * else: the pipeline keys a row's units by it, the ledger's fold keys a unit's state by it, the
 * daily cap counts distinct units, a settlement matches its doubts by it. This file imports nothing.
 */
export interface UnitRef {
  to: string;
  from: string;
  /** A reminder's appointment key, name and appointment time (ISO 8601 UTC); absent for a survey's contact. */
  key?: string | undefined;
  reminder?: string | undefined;
  appointmentAt?: string | undefined;
}

/** The unit's key: `key|reminder|appointmentAt` for a reminder, `To|From` for a contact (docs/reference.md §4). */
export function unitKey(unit: UnitRef): string {
  return unit.key === undefined ? `${unit.to}|${unit.from}` : `${unit.key}|${unit.reminder}|${unit.appointmentAt}`;
}

/** What a ledger line about a unit carries of its identity, besides its row: To, From, and a reminder's fields. */
export function unitFields(unit: UnitRef): UnitRef {
  return unit.key === undefined
    ? { to: unit.to, from: unit.from }
    : { to: unit.to, from: unit.from, key: unit.key, reminder: unit.reminder, appointmentAt: unit.appointmentAt };
}
