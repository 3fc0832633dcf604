/**
 * The unit of work (issue 29): what one Execution is for, at most once ever — SPEC §4's contact
 * key, the normalized To plus the From. Its identity is defined here and nowhere else: the
 * pipeline keys a row's verdict by it, the ledger's fold keys a unit's state by it, the daily cap
 * counts distinct units, a settlement matches its doubts by it. A reminder on a schedule (SPEC
 * §16) is a unit of its own: the appointment's key × the reminder's name × the appointment time.
 * This file imports nothing.
 */
export interface UnitRef {
  to: string;
  from: string;
}

/** The unit's key: `To|From` (SPEC §4). */
export function unitKey(unit: UnitRef): string {
  return `${unit.to}|${unit.from}`;
}
