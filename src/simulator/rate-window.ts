/**
 * A strict limiter: at most `perSecond` accepted events in any window of `windowMs`, counted on
 * arrival, as a strict server does. Keeps the times of the last `perSecond` acceptances.
 */
export class SlidingWindow {
  readonly #times: number[] = [];
  readonly #limit: number;
  readonly #windowMs: number;

  constructor(perSecond: number, windowMs = 1000) {
    this.#limit = Math.max(1, Math.floor(perSecond));
    this.#windowMs = windowMs;
  }

  /** Accept now, or answer how many ms until a place frees up. */
  tryAcquire(now: number): { accepted: true } | { accepted: false; retryAfterMs: number } {
    while (this.#times.length > 0 && (this.#times[0] ?? 0) <= now - this.#windowMs) this.#times.shift();
    if (this.#times.length < this.#limit) {
      this.#times.push(now);
      return { accepted: true };
    }
    const oldest = this.#times[0] ?? now;
    return { accepted: false, retryAfterMs: oldest + this.#windowMs - now };
  }
}

/** The largest number of events in any window of `windowMs`: how a strict server sees a rate. */
export function maxPerWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}
