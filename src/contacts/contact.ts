/** A contact ready to send: normalized addresses and the Parameters for its Execution. */
export interface Contact {
  row: number;
  to: string;
  from: string;
  parameters: Record<string, unknown>;
  /** IANA zone for the send window (`columns.timezone`), when the row names one. */
  timezone: string | undefined;
}

/** The contact key (SPEC §4): the normalized To plus the From. */
export function contactKey(to: string, from: string): string {
  return `${to}|${from}`;
}

export type RowVerdict =
  | { status: "sendable"; contact: Contact }
  | { status: "invalid"; row: number; to: string; from: string; reason: string }
  | { status: "duplicate"; row: number; to: string; from: string; reason: string }
  | { status: "suppressed"; row: number; to: string; from: string; reason: string };
