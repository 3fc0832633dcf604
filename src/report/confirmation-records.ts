import { createHash } from "node:crypto";
import type { LedgerEvent, RecordHanded } from "../ledger/events.js";
import { foldExecutionEvent, type CreatedExecution } from "../ledger/fold.js";
import type { ContactReply } from "../flow/contact-reply.js";
import { replyMeaning, type Intents } from "../flow/reply-intent.js";
import { intentCell } from "../flow/reply-summary.js";

/** The columns of a confirmation record, in order (docs/reference.md §19). */
export const CONFIRMATION_COLUMNS = [
  "key",
  "appointment_at",
  "intent",
  "reply",
  "replied_at",
  "late",
  "reminder",
  "execution_sid",
  "to",
] as const;

/** One appointment's (a survey's: one row's) latest reply, as the booking system gets it. */
export interface ConfirmationRecord {
  /** The appointment's key; a survey's row number. */
  key: string;
  /** The appointment's time (ISO 8601 UTC); empty in a survey. */
  appointment_at: string;
  intent: string;
  reply: string;
  replied_at: string;
  late: boolean;
  /** The reminder replied to; empty in a survey. */
  reminder: string;
  execution_sid: string;
  to: string;
}

/** A record with what the cursor needs: its identity and which reply it is. */
export interface VersionedRecord {
  record: ConfirmationRecord;
  /** `key` and `appointment_at`, as the ledger's `handed` lines name it. */
  id: string;
  /** Which reply (Execution, time, text): a change is a new record for `--new`. */
  version: string;
}

/**
 * The ledger's replies folded into confirmation records (docs/reference.md §19), with the cursor
 * of `--new`: the version each record was last handed over at. Feed it every event, in order.
 */
export class ConfirmationBook {
  readonly #executions = new Map<string, CreatedExecution>();
  /** Record id → the version handed over last (delivered, written, or rejected). */
  readonly handed = new Map<string, string>();

  add(event: LedgerEvent): void {
    if (event.t === "handed") this.handed.set(recordId(event.record, event.appointmentAt ?? ""), event.version);
    else foldExecutionEvent(this.#executions, event);
  }

  /** One record per appointment (a survey's row) with a reply, the latest reply winning; in key order. */
  records(intents: Intents): VersionedRecord[] {
    const latest = new Map<string, { execution: CreatedExecution; reply: ContactReply }>();
    for (const execution of this.#executions.values()) {
      const reply = execution.reply;
      if (!reply) continue;
      const id = recordId(...recordKey(execution));
      const known = latest.get(id);
      if (!known || Date.parse(reply.repliedAt) >= Date.parse(known.reply.repliedAt)) latest.set(id, { execution, reply });
    }
    return [...latest]
      .map(([id, { execution, reply }]) => ({ id, record: toRecord(execution, reply, intents), version: versionOf(execution.sid, reply) }))
      .sort((a, b) => compare(a.record.key, b.record.key) || compare(a.record.appointment_at, b.record.appointment_at));
  }

  /** The records no earlier `--new` export or delivery handed over at their present version. */
  fresh(records: readonly VersionedRecord[]): VersionedRecord[] {
    return records.filter((r) => this.handed.get(r.id) !== r.version);
  }
}

/** The `handed` line of a record (`via`, and a webhook's answer). */
export function handedEvent(
  versioned: VersionedRecord,
  via: RecordHanded["via"],
  answer: { http?: number | undefined; rejected?: boolean; at: string },
): RecordHanded {
  const { record } = versioned;
  return {
    t: "handed",
    record: record.key,
    ...(record.appointment_at ? { appointmentAt: record.appointment_at } : {}),
    sid: record.execution_sid,
    version: versioned.version,
    via,
    ...(answer.http !== undefined ? { http: answer.http } : {}),
    ...(answer.rejected ? { rejected: true as const } : {}),
    at: answer.at,
  };
}

function recordKey(execution: CreatedExecution): [string, string] {
  return execution.reminder ? [execution.reminder.key, execution.reminder.appointmentAt] : [String(execution.row ?? 0), ""];
}

function recordId(key: string, appointmentAt: string): string {
  return `${key}\u0000${appointmentAt}`;
}

function toRecord(execution: CreatedExecution, reply: ContactReply, intents: Intents): ConfirmationRecord {
  const [key, appointmentAt] = recordKey(execution);
  return {
    key,
    appointment_at: appointmentAt,
    intent: intentCell(replyMeaning(reply.text, intents)),
    reply: reply.text,
    replied_at: reply.repliedAt,
    late: reply.late,
    reminder: execution.reminder?.name ?? "",
    execution_sid: execution.sid,
    to: execution.to,
  };
}

function versionOf(sid: string, reply: ContactReply): string {
  return createHash("sha256")
    .update(JSON.stringify([sid, reply.repliedAt, reply.text]))
    .digest("hex")
    .slice(0, 16);
}

/** Survey rows as numbers, keys as text. */
function compare(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  if (a !== "" && b !== "" && Number.isInteger(x) && Number.isInteger(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}
