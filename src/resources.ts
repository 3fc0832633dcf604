/**
 * What a command opened, closed as one (the run's client, limiter, daily cap, ledger
 * lock, signal handlers… opened as one disposable set). `await using resources = new Resources()`
 * then `resources.defer(close)` for each thing opened: they are closed in reverse order when the
 * scope ends, however it ends, every one of them even when one fails (Node 20 has no
 * AsyncDisposableStack; this is the part of it we use). Inside such a scope, `return await work()`,
 * never `return work()`: the scope ends — and closes everything — as soon as the promise is
 * returned, not when it settles. This file imports nothing.
 */
export class Resources implements AsyncDisposable {
  #closers: Array<() => unknown> = [];

  /** Close `close` with the rest (last opened, first closed). */
  defer(close: () => unknown): void {
    this.#closers.push(close);
  }

  /** Hand what is open over to another owner: this set closes nothing of it. */
  move(): Resources {
    const moved = new Resources();
    moved.#closers = this.#closers;
    this.#closers = [];
    return moved;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const closers = this.#closers.reverse();
    this.#closers = [];
    let failure: { error: unknown } | undefined;
    for (const close of closers) {
      try {
        await close();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
