import { Worker } from "node:worker_threads";
import type { Normalized } from "./phone.js";
import type { NumbersAnswer, NumbersRequest } from "./number-worker.js";

/** The worker's file: beside this module in tsc's output, and beside the bin's chunks in its bundle (scripts/bundle-cli.mjs). */
export const NUMBER_WORKER = new URL("./number-worker.js", import.meta.url);

/**
 * Phone numbers normalized on a second thread, a batch ahead of the rows that need them: a
 * reading of a whole export (a standing campaign's first tick over a million appointments) spent
 * about a fifth of its time in libphonenumber-js and the garbage it makes, on one core of two.
 * An answer is only a head start: a number it does not hold — the worker failed, could not start,
 * or was not asked — is normalized where it is needed, by the same function. Never a verdict of
 * its own, so a row's verdict is the same with or without it.
 */
export class NumbersAhead {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { texts: string[]; resolve: (answer: Map<string, Normalized>) => void }>();
  #next = 0;
  #failed = false;

  constructor(options: { region: string | undefined; worker?: URL }) {
    this.#worker = new Worker(options.worker ?? NUMBER_WORKER, { workerData: { region: options.region } });
    this.#worker.unref(); // never what keeps the process alive
    this.#worker.on("message", ({ id, entries }: NumbersAnswer) => {
      const waiting = this.#waiting.get(id);
      if (waiting === undefined) return;
      this.#waiting.delete(id);
      waiting.resolve(answerOf(waiting.texts, entries));
    });
    this.#worker.on("error", () => this.#fail());
    this.#worker.on("exit", () => this.#fail());
  }

  /** The numbers of `texts` normalized (each as `normalizeAddress` would), or none when the worker is gone. */
  ask(texts: Iterable<string>): Promise<ReadonlyMap<string, Normalized>> {
    const unique = [...new Set(texts)];
    if (this.#failed || unique.length === 0) return Promise.resolve(new Map());
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#waiting.set(id, { texts: unique, resolve });
      this.#worker.postMessage({ id, texts: unique } satisfies NumbersRequest);
    });
  }

  /** Whether the worker failed (its asks answered with nothing since). */
  get failed(): boolean {
    return this.#failed;
  }

  close(): void {
    this.#failed = true;
    void this.#worker.terminate();
    this.#answerNone();
  }

  #fail(): void {
    this.#failed = true;
    this.#answerNone();
  }

  #answerNone(): void {
    for (const { resolve } of this.#waiting.values()) resolve(new Map());
    this.#waiting.clear();
  }
}

function answerOf(texts: string[], entries: string): Map<string, Normalized> {
  const answer = new Map<string, Normalized>();
  const lines = entries.split("\n");
  if (lines.length !== texts.length) return answer; // not this request's answer: none taken
  for (let i = 0; i < texts.length; i++) {
    const line = lines[i]!;
    answer.set(texts[i]!, line.startsWith("\u0000") ? { ok: false, reason: line.slice(1) } : { ok: true, address: line });
  }
  return answer;
}
