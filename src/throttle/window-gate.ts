/**
 * A last line of defence under Bottleneck's even spacing: never more than `perWindow` starts in
 * any `windowMs`. Even spacing alone is defeated by event-loop lag (one start delayed 15 ms,
 * the next on time); a strict server counting arrivals would answer 429.
 */
export class WindowGate {
  /** The last `perWindow` start times, as a ring: `#ring[#oldest]` is the start perWindow ago. */
  readonly #ring: Float64Array;
  #oldest = 0;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: { perWindow: number; windowMs: number; now?: () => number; sleep?: (ms: number) => Promise<void> }) {
    this.#ring = new Float64Array(Math.max(1, Math.floor(options.perWindow))).fill(-Infinity);
    this.#windowMs = options.windowMs;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Waits, if need be, until a start is allowed, and records it; returns the time recorded. */
  async pass(): Promise<number> {
    for (;;) {
      const wait = this.#ring[this.#oldest]! + this.#windowMs - this.#now();
      if (wait <= 0) break;
      await this.#sleep(wait);
    }
    const at = this.#now();
    this.#ring[this.#oldest] = at;
    this.#oldest = (this.#oldest + 1) % this.#ring.length;
    return at;
  }
}
