import { optOutNumber, type OptOutEntry, type OptOutStore } from "./opt-out-store.js";

/**
 * A run picks up opt-outs added since it started at least once a minute (docs/reference.md §12); every 30 s
 * on the run's clock leaves room for a read that takes a while.
 */
export const OPT_OUT_REFRESH_MS = 30_000;

/**
 * The numbers opted out now: the list folded in order (the latest entry decides), kept current
 * by reading only what was added since the last look. `has` is what every decision asks — the
 * planner's, and the sender's at each create's departure — so that an opt-out committed a
 * minute or more before a contact's turn stops it, whichever machine or campaign recorded it.
 */
export class OptedOut implements AsyncDisposable {
  readonly store: OptOutStore;
  readonly #numbers = new Set<string>();
  #position = 0;
  #readAt = -Infinity;
  #reading: Promise<number> | undefined;

  private constructor(store: OptOutStore) {
    this.store = store;
  }

  /** The list as it is now (read whole once). */
  static async load(store: OptOutStore, now: number): Promise<OptedOut> {
    const view = new OptedOut(store);
    await view.refresh(now);
    return view;
  }

  /** Close its store (`await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.store.close();
  }

  get size(): number {
    return this.#numbers.size;
  }

  /** Is the person at this address (any channel) opted out? */
  has(address: string): boolean {
    return this.#numbers.has(optOutNumber(address));
  }

  /** Read what was added, when the last look is `everyMs` old or more at `now`; returns the entries read. */
  async refreshIfStale(now: number, everyMs = OPT_OUT_REFRESH_MS): Promise<number> {
    return now - this.#readAt >= everyMs ? this.refresh(now) : 0;
  }

  /** Read what was added since the last look (one read at a time: callers at once share it). */
  refresh(now: number): Promise<number> {
    this.#reading ??= this.#read(now).finally(() => (this.#reading = undefined));
    return this.#reading;
  }

  async #read(now: number): Promise<number> {
    const { entries, position, restarted } = await this.store.readSince(this.#position);
    if (restarted) this.#numbers.clear();
    this.#fold(entries);
    this.#position = position;
    this.#readAt = now;
    return entries.length;
  }

  #fold(entries: readonly OptOutEntry[]): void {
    for (const entry of entries) {
      if (entry.event === "opt_out") this.#numbers.add(entry.number);
      else this.#numbers.delete(entry.number);
    }
  }
}
