import { wallClockAt } from "../contacts/zoned-time.js";
import { replyMeaning, type Intents } from "../flow/reply-intent.js";
import { intentCell } from "../flow/reply-summary.js";
import type { ReportRow } from "./build-report.js";

/** Replies on one day, or to one reminder (docs/reference.md §19): how many, by intent, how many late. */
export interface IntentCounts {
  replied: number;
  late: number;
  /** By the report's `intent` cell, in `IntentSummary.intents` order. */
  counts: number[];
}

export interface IntentSummary {
  /** The zone the days are counted in (the send window's, else UTC). */
  zone: string;
  /** The campaign's intents, then `ambiguous`, `unrecognized`, `opted_out`. */
  intents: string[];
  /** Days the contacts replied on, in order (`YYYY-MM-DD` in `zone`). */
  days: Array<{ day: string } & IntentCounts>;
  /** By reminder (a survey's rows: ""), in order of first appearance. */
  byReminder: Array<{ name: string } & IntentCounts>;
}

/**
 * The report's replies tallied for the HTML page: per day a reply came (in the campaign's zone)
 * and per reminder, each reply's intent as the CSV's `intent` cell says it. Memory follows the
 * days and reminders, never the rows.
 */
export class IntentTally {
  readonly #zone: string;
  readonly #intentsOf: Intents;
  readonly #intents: string[];
  readonly #days = new Map<string, IntentCounts>();
  readonly #reminders = new Map<string, IntentCounts>();

  constructor(intents: Intents, zone: string | undefined) {
    this.#zone = zone ?? "UTC";
    this.#intentsOf = intents;
    this.#intents = [...intents.keys(), "ambiguous", "unrecognized", "opted_out"];
  }

  add(row: ReportRow): void {
    if (!row.reply) return;
    const index = this.#intents.indexOf(intentCell(replyMeaning(row.reply.text, this.#intentsOf)));
    const day = new Date(wallClockAt(Date.parse(row.reply.repliedAt), this.#zone)).toISOString().slice(0, 10);
    for (const counts of [this.#count(this.#days, day), this.#count(this.#reminders, row.reminder?.reminder ?? "")]) {
      counts.replied++;
      if (row.reply.late) counts.late++;
      counts.counts[index]!++;
    }
  }

  summary(): IntentSummary {
    return {
      zone: this.#zone,
      intents: this.#intents,
      days: [...this.#days].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, counts]) => ({ day, ...counts })),
      byReminder: [...this.#reminders].map(([name, counts]) => ({ name, ...counts })),
    };
  }

  #count(map: Map<string, IntentCounts>, key: string): IntentCounts {
    let counts = map.get(key);
    if (!counts) map.set(key, (counts = { replied: 0, late: 0, counts: this.#intents.map(() => 0) }));
    return counts;
  }
}
