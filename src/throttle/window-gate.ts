/**
 * A last line of defence under Bottleneck's even spacing: never more than `perWindow` starts in
 * any `windowMs`. Even spacing alone is defeated by event-loop lag (one start delayed 15 ms,
 * the next on time); a strict server counting arrivals would answer 429.
 */
export class WindowGate {
  readonly #starts: number[] = [];
  readonly #perWindow: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: { perWindow: number; windowMs: number; now?: () => number; sleep?: (ms: number) => Promise<void> }) {
    this.#perWindow = Math.max(1, Math.floor(options.perWindow));
    this.#windowMs = options.windowMs;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Waits, if need be, until a start is allowed, and records it. */
  async pass(): Promise<void> {
    for (;;) {
      const now = this.#now();
      const oldest = this.#starts.length >= this.#perWindow ? this.#starts[this.#starts.length - this.#perWindow] : undefined;
      if (oldest === undefined || now - oldest >= this.#windowMs) break;
      await this.#sleep(oldest + this.#windowMs - now);
    }
    this.#starts.push(this.#now());
    if (this.#starts.length > this.#perWindow) this.#starts.splice(0, this.#starts.length - this.#perWindow);
  }
}
