import type { Campaign } from "../campaign/campaign.js";
import { emptyCounts } from "../ledger/row-status.js";
import { type RunEvent } from "../engine/run/run-events.js";
import { RUNTIME_DEFAULTS } from "../campaign/runtime-defaults.js";
import { followUpLine } from "./follow-up-line.js";
import { formatCounts, paceLines } from "./render-summary.js";

/**
 * Renders a run's events on stderr: the lines the operator reads before it sends (the expected
 * duration, the preflight, the daily cap, a follow-up's list) at once, then a live bar on a TTY,
 * a line every few seconds otherwise (cron logs). Holds only counts.
 */
export class ProgressRenderer implements Disposable {
  readonly #campaign: Campaign;
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #startedAt: number;
  readonly #counts = emptyCounts();
  #total = 0;
  #unit: "contact" | "reminder" = "contact";
  #timer: NodeJS.Timeout | undefined;
  #notes: string[] = [];

  constructor(campaign: Campaign, options: { stream?: NodeJS.WriteStream; intervalMs?: number; startedAt?: number } = {}) {
    this.#campaign = campaign;
    this.#startedAt = options.startedAt ?? Date.now();
    this.#stream = options.stream ?? process.stderr;
    this.#tty = Boolean(this.#stream.isTTY);
    const every = options.intervalMs ?? (this.#tty ? RUNTIME_DEFAULTS.progressEveryMsOnTty : RUNTIME_DEFAULTS.progressEveryMs);
    this.#timer = setInterval(() => this.#draw(), every);
    this.#timer.unref();
  }

  onEvent = (event: RunEvent): void => {
    switch (event.type) {
      case "line":
        this.#stream.write(`${event.text}\n`);
        return;
      case "planned":
        for (const line of paceLines(this.#campaign, event.toSendBySender, event.unit)) this.#stream.write(`${line}\n`);
        this.#total = event.total;
        this.#unit = event.unit;
        return;
      case "due":
        this.#total++;
        return;
      case "follow-up":
        this.#stream.write(`${followUpLine(this.#campaign, event.tally)}\n`);
        return;
      case "row":
        this.#counts[event.status]++;
        return;
      case "stopping":
        this.#notes.push(`stopping: ${event.message}`);
        return;
      case "note":
        this.#notes.push(event.message);
        return;
      case "settling":
        this.#notes.push(`settling ${event.doubts} in-doubt contact(s) through List`);
        return;
      case "rate-limited":
        // Only a capped wait is worth a line: an ordinary 429 shows in the counts.
        if (event.askedMs !== undefined && event.askedMs > event.retryAfterMs) {
          this.#notes.push(
            `429: Studio asked to wait ${Math.round(event.askedMs / 1000)} s (Retry-After); waiting ` +
              `${Math.round(event.retryAfterMs / 1000)} s (the cap, retry.maxRetryAfter)`,
          );
        }
        return;
      default:
        return;
    }
  };

  [Symbol.dispose](): void {
    this.stop();
  }

  stop(): void {
    clearInterval(this.#timer);
    if (this.#tty) this.#stream.write("\r\x1b[K");
    this.#flushNotes();
  }

  #draw(): void {
    this.#flushNotes();
    const { text, filled } = this.line(Date.now());
    if (this.#tty) {
      const width = 24;
      const bar = Math.round(filled * width);
      this.#stream.write(`\r\x1b[K[${"#".repeat(bar)}${"-".repeat(width - bar)}] ${text}`);
    } else {
      this.#stream.write(`${new Date().toISOString()} progress: ${text}\n`);
    }
  }

  /** The progress text at `now`, and how much of the bar is filled (0–1). */
  line(now: number): { text: string; filled: number } {
    const done = this.#counts.created + this.#counts.conflict_skipped + this.#counts.failed;
    const elapsed = (now - this.#startedAt) / 1000;
    return progressText({
      done,
      total: this.#total,
      created: this.#counts.created,
      elapsed,
      unit: this.#unit,
      counts: formatCounts(this.#counts),
    });
  }

  #flushNotes(): void {
    if (this.#notes.length === 0) return;
    if (this.#tty) this.#stream.write("\r\x1b[K");
    for (const note of this.#notes.splice(0)) this.#stream.write(`${note}\n`);
  }
}

/**
 * `5/10 reminders sent, 2.0/s, ETA 3 s | created 5`: what is done of the total (a survey's
 * contacts to send; a standing campaign's reminders due now), the rate so far, and the time left
 * at that rate.
 */
export function progressText(p: {
  done: number;
  total: number;
  created: number;
  elapsed: number;
  unit: "contact" | "reminder";
  counts: string;
}): {
  text: string;
  filled: number;
} {
  const rate = p.elapsed > 0 ? p.created / p.elapsed : 0;
  const remaining = Math.max(0, p.total - p.done);
  const eta = rate > 0 && p.total > 0 ? `${Math.ceil(remaining / rate)} s` : "?";
  const total = p.total > 0 ? `/${p.total}` : "";
  const noun = p.unit === "reminder" ? "reminders " : "";
  return {
    text: `${p.done}${total} ${noun}sent, ${rate.toFixed(1)}/s, ETA ${eta} | ${p.counts}`,
    filled: p.total > 0 ? Math.min(1, p.done / p.total) : 0,
  };
}
