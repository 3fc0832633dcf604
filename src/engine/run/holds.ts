import type { SendWindow } from "../../campaign/campaign.js";
import { displayZone, nextOpening } from "../plan/send-window.js";
import { localIso } from "../../contacts/zoned-time.js";
import type { StopReason } from "../../clock.js";

/**
 * The contacts a run left pending on purpose — outside the send window, past `--limit`, or over
 * the daily cap —
 * and, after the pass, the stop they amount to (exit 75: a later run sends them).
 */
export class HoldTracker {
  readonly #window: SendWindow | undefined;
  readonly #limit: number | undefined;
  #windowHeld = 0;
  #limitHeld = 0;
  #capHeld = 0;
  #capMessage: string | undefined;
  #withheld = 0;
  /** Held by the window with their deadline at or before it opens: they will expire (docs/reference.md §17). */
  #expiring = 0;
  readonly #unit: string;
  #exportMessage: string | undefined;
  #nextOpen: number | undefined;
  /** The zone the next opening is in (a contact's own, with a recipient window). */
  #nextOpenZone: string | undefined;
  /** When the window next opens, by the zones a held contact is judged in (computed once per set of zones). */
  readonly #openingByZones = new Map<string, number | undefined>();

  constructor(options: { window: SendWindow | undefined; limit: number | undefined; unit?: "contact" | "reminder" | undefined }) {
    this.#window = options.window;
    this.#limit = options.limit;
    this.#unit = options.unit ?? "contact";
  }

  /** Held by the window now, and of those how many reach their deadline before it opens. */
  get window(): { held: number; expiring: number } {
    return { held: this.#windowHeld, expiring: this.#expiring };
  }

  /** A reminder a shrunken export lost, held (docs/reference.md §17): the stop says why. */
  withheld(message: string): void {
    this.#withheld++;
    this.#exportMessage ??= message;
  }

  /** The daily cap was reached (its message names it and the next day's start): every later contact is held. */
  capped(message: string): void {
    this.#capMessage ??= message;
  }

  get isCapped(): boolean {
    return this.#capMessage !== undefined;
  }

  held(
    reason: "stopping" | "window" | "limit" | "cap",
    now: number,
    zones: readonly string[] | undefined,
    /** The unit's deadline (`notAfter`; a reminder's), if it has one. */
    deadline?: number | undefined,
  ): void {
    if (reason === "limit") this.#limitHeld++;
    if (reason === "cap") this.#capHeld++;
    if (reason !== "window" || !this.#window) return;
    this.#windowHeld++;
    const key = zones?.join("|") ?? "";
    if (!this.#openingByZones.has(key)) this.#openingByZones.set(key, nextOpening(this.#window, now, zones));
    const opens = this.#openingByZones.get(key);
    if (deadline !== undefined && (opens === undefined || deadline <= opens)) this.#expiring++;
    if (opens !== undefined && (this.#nextOpen === undefined || opens < this.#nextOpen)) {
      this.#nextOpen = opens;
      this.#nextOpenZone = zones?.[0];
    }
  }

  /** The stops the holds amount to, window first (the first stop requested wins). */
  stops(): Array<{ reason: StopReason; message: string }> {
    const stops: Array<{ reason: StopReason; message: string }> = [];
    if (this.#exportMessage !== undefined)
      stops.push({ reason: "export", message: `${this.#exportMessage} (${this.#withheld} reminder(s) held)` });
    if (this.#windowHeld > 0) {
      // In the zone it opens in (the window's, or the first contact's own), with the offset (docs/reference.md §17).
      const zone = this.#nextOpenZone ?? displayZone(this.#window);
      const when = this.#nextOpen === undefined ? "not within a week" : `next at ${localIso(this.#nextOpen, zone)}`;
      const where = this.#window?.recipient ? "in their own time zones" : `(${this.#window?.timezone ?? ""})`;
      const expiring = this.#expiring > 0 ? ` (${this.#expiring} of them expire before it opens: never sent late)` : "";
      stops.push({
        reason: "window",
        message: `${this.#windowHeld} ${this.#unit}(s) are outside the send window ${where}; it opens ${when}${expiring}`,
      });
    }
    if (this.#capMessage !== undefined)
      stops.push({ reason: "cap", message: `${this.#capMessage} (${this.#capHeld} ${this.#unit}(s) left pending)` });
    if (this.#limitHeld > 0)
      stops.push({ reason: "limit", message: `--limit ${this.#limit} reached; ${this.#limitHeld} ${this.#unit}(s) left for the next run` });
    return stops;
  }
}
