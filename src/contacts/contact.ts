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
}

export type RowVerdict =
  | { status: "sendable"; contact: Contact }
  | { status: "invalid"; row: number; to: string; from: string; reason: string }
  | { status: "duplicate"; row: number; to: string; from: string; reason: string }
  | { status: "suppressed"; row: number; to: string; from: string; reason: string };
