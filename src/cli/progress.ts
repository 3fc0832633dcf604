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
  readonly #startedAt = Date.now();
  readonly #counts = emptyCounts();
  #total = 0;
  #timer: NodeJS.Timeout | undefined;
  #notes: string[] = [];

  constructor(campaign: Campaign, stream: NodeJS.WriteStream = process.stderr, intervalMs?: number) {
    this.#campaign = campaign;
    this.#stream = stream;
    this.#tty = Boolean(stream.isTTY);
    const every = intervalMs ?? (this.#tty ? RUNTIME_DEFAULTS.progressEveryMsOnTty : RUNTIME_DEFAULTS.progressEveryMs);
    this.#timer = setInterval(() => this.#draw(), every);
    this.#timer.unref();
  }

  onEvent = (event: RunEvent): void => {
    switch (event.type) {
      case "line":
        this.#stream.write(`${event.text}\n`);
        return;
      case "planned":
        for (const line of paceLines(this.#campaign, event.toSendBySender)) this.#stream.write(`${line}\n`);
        this.#total = event.total;
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
    const done = this.#counts.created + this.#counts.conflict_skipped + this.#counts.failed;
    const elapsed = (Date.now() - this.#startedAt) / 1000;
    const rate = elapsed > 0 ? this.#counts.created / elapsed : 0;
    const remaining = Math.max(0, this.#total - done);
    const eta = rate > 0 && this.#total > 0 ? `${Math.ceil(remaining / rate)} s` : "?";
    const total = this.#total > 0 ? `/${this.#total}` : "";
    const text = `${done}${total} sent, ${rate.toFixed(1)}/s, ETA ${eta} | ${formatCounts(this.#counts)}`;
    if (this.#tty) {
      const width = 24;
      const filled = this.#total > 0 ? Math.min(width, Math.round((done / this.#total) * width)) : 0;
      this.#stream.write(`\r\x1b[K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${text}`);
    } else {
      this.#stream.write(`${new Date().toISOString()} progress: ${text}\n`);
    }
  }

  #flushNotes(): void {
    if (this.#notes.length === 0) return;
    if (this.#tty) this.#stream.write("\r\x1b[K");
    for (const note of this.#notes.splice(0)) this.#stream.write(`${note}\n`);
  }
}
