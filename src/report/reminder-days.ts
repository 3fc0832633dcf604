import { wallClockAt } from "../contacts/zoned-time.js";
import type { ReportRow } from "./build-report.js";

/** One day's reminders, or one reminder's (docs/reference.md §16): due that day, sent that day, and what became of those due. */
export interface ReminderCounts {
  /** Reminders due (their `due_at`), cancelled ones apart. */
  due: number;
  /** Of those, sent (an Execution created, perhaps after its due day, before its deadline). */
  sent: number;
  expired: number;
  cancelled: number;
  /** Not sent yet: not due yet, or due and waiting (a busy number, the window, the cap, the next run). */
  pending: number;
  /** Final without a message: failed, opted out, skipped on a conflict. */
  other: number;
}

export interface ReminderSummary {
  /** The zone the days are counted in (the send window's, else UTC). */
  zone: string;
  /** Days in order, `YYYY-MM-DD` in `zone`. */
  days: Array<{ day: string } & ReminderCounts>;
  /** By reminder name, in order of first appearance. */
  byName: Array<{ name: string } & ReminderCounts>;
}

const empty = (): ReminderCounts => ({ due: 0, sent: 0, expired: 0, cancelled: 0, pending: 0, other: 0 });

/**
 * A standing campaign's reminders, tallied from the report's rows: per day — each reminder on the
 * day it is due, with what became of it, so that a day's columns add up — and per reminder.
 * Memory follows the days and names, never the rows.
 */
export class ReminderTally {
  readonly #zone: string;
  readonly #days = new Map<string, ReminderCounts>();
  readonly #names = new Map<string, ReminderCounts>();

  constructor(zone: string | undefined) {
    this.#zone = zone ?? "UTC";
  }

  add(row: ReportRow): void {
    if (!row.reminder) return;
    const due = Date.parse(row.reminder.due_at);
    const name = this.#count(this.#names, row.reminder.reminder);
    const dueDay = Number.isNaN(due) ? undefined : this.#count(this.#days, this.#day(due));
    if (row.status === "cancelled") {
      name.cancelled++;
      if (dueDay) dueDay.cancelled++;
      return;
    }
    name.due++;
    if (dueDay) dueDay.due++;
    if (row.status === "created") {
      name.sent++;
      if (dueDay) dueDay.sent++;
    } else if (row.status === "expired") {
      name.expired++;
      if (dueDay) dueDay.expired++;
    } else {
      const part = row.status === "pending" ? "pending" : "other";
      name[part]++;
      if (dueDay) dueDay[part]++;
    }
  }

  summary(): ReminderSummary {
    return {
      zone: this.#zone,
      days: [...this.#days].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, counts]) => ({ day, ...counts })),
      byName: [...this.#names].map(([name, counts]) => ({ name, ...counts })),
    };
  }

  #day(at: number): string {
    return new Date(wallClockAt(at, this.#zone)).toISOString().slice(0, 10);
  }

  #count(map: Map<string, ReminderCounts>, key: string): ReminderCounts {
    let counts = map.get(key);
    if (!counts) map.set(key, (counts = empty()));
    return counts;
  }
}
