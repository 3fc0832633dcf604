/**
 * Group commit, the one way this project makes appends durable (the ledger file, the ledger in
 * PostgreSQL, the opt-out list): every item handed in while a commit is under way goes into the
 * next one, and `add` resolves once its item is committed. With `poisonOnFailure` (a ledger), the
 * first failure fails every later `add` too: what is in memory may then be ahead of what is
 * durable, so nothing more may count on it. This file imports nothing: any folder may use it.
 */
export class GroupCommit<T> {
  readonly #commit: (items: T[]) => Promise<void>;
  readonly #failure: (err: unknown) => unknown;
  readonly #poison: boolean;
  #queue: Array<{ items: readonly T[]; resolve: () => void; reject: (err: unknown) => void }> = [];
  #running: Promise<void> | undefined;
  #failed: unknown;

  constructor(options: { commit: (items: T[]) => Promise<void>; failure?: (err: unknown) => unknown; poisonOnFailure: boolean }) {
    this.#commit = options.commit;
    this.#failure = options.failure ?? ((err) => err);
    this.#poison = options.poisonOnFailure;
  }

  get failed(): boolean {
    return this.#failed !== undefined;
  }

  add(item: T): Promise<void> {
    return this.addAll([item]);
  }

  /** Items handed in together, committed in order in one commit; resolves once all are committed. */
  addAll(items: readonly T[]): Promise<void> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => {
      this.#queue.push({ items, resolve, reject });
      this.#running ??= this.#loop();
    });
  }

  /** Resolves when everything added so far is committed (rejects after a poisoning failure). */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
    if (this.#failed !== undefined) throw this.#failed;
  }

  async #loop(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        try {
          await this.#commit(batch.flatMap((entry) => entry.items));
          for (const entry of batch) entry.resolve();
        } catch (err) {
          const error = this.#failure(err);
          if (this.#poison) {
            this.#failed = error;
            batch.push(...this.#queue);
            this.#queue = [];
          }
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.#running = undefined;
    }
  }
}
