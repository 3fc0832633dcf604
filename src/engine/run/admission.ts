import type { SendWindow } from "../../campaign/campaign.js";
import type { PlannedRow } from "../plan/planned-row.js";
import { capReachedMessage, type DailyCap } from "./daily-cap.js";
import { HoldTracker } from "./holds.js";
import { decideRow, type RowAction } from "../plan/row-action.js";

/**
 * What decides a row's fate beyond the row itself, for a real run and a dry run alike
 * (`--dry-run` asks the run's own decision): the send window, `--limit`, the daily cap, and the
 * holds they amount to. A dry run gives it a copy of the cap (taking from it takes nothing from
 * the real count); `decide` is the pure `decideRow` on the situation now.
 */
export class Admission {
  readonly holds: HoldTracker;
  readonly #window: SendWindow | undefined;
  readonly #limit: number | undefined;
  readonly #cap: DailyCap | undefined;
  #started = 0;

  constructor(options: {
    window: SendWindow | undefined;
    limit: number | undefined;
    cap: DailyCap | undefined;
    /** What one unit is called in the stop's message. */
    unit?: "contact" | "reminder" | undefined;
  }) {
    this.#window = options.window;
    this.#limit = options.limit;
    this.#cap = options.cap;
    this.holds = new HoldTracker({ window: options.window, limit: options.limit, unit: options.unit });
  }

  /** The row's action now; a `send` counts against `--limit` (a `hold` is recorded in `holds`). */
  decide(planned: PlannedRow, now: number, stopping: boolean): RowAction {
    const action = decideRow(planned, {
      stopping,
      now,
      window: this.#window,
      started: this.#started,
      limit: this.#limit,
      capped: this.holds.isCapped,
    });
    if (action.kind === "send") this.#started++;
    if (action.kind === "hold")
      this.holds.held(action.reason, now, action.zones, planned.kind === "contact" ? planned.contact.notAfter : undefined);
    if (action.kind === "withhold") this.holds.withheld(action.message);
    return action;
  }

  /**
   * Room under the daily cap for one more contact's messages (docs/reference.md §13): taken when there is. At
   * the cap, every later contact is held and the stop names the cap and when the next day starts.
   * A count that cannot be read (Redis down) throws: the run stops as an outage.
   */
  async withinCap(now: number): Promise<boolean> {
    const cap = this.#cap;
    if (!cap) return true;
    if (this.holds.isCapped) return false;
    if (await cap.take(cap.settings.messagesPerContact, now)) return true;
    this.holds.capped(capReachedMessage(cap.settings, now, await cap.used(now)));
    return false;
  }

  /** A contact admitted by `decide` that the cap then refused: held with the rest. */
  heldByCap(now: number): void {
    this.holds.held("cap", now, undefined);
  }
}
