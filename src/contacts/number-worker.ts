/**
 * A worker thread's body: normalizes the phone numbers it is sent (`normalizeAddress`), a batch
 * at a time, while the main thread parses and plans the rows before them (numbers-ahead.ts).
 * Its answer is one string, an entry a line: the address, or NUL and the reason it is not one —
 * a line break is in neither (an address is E.164 with an optional channel prefix; a reason
 * quotes the cell with JSON.stringify). One string crosses the thread boundary in one copy, where
 * an object a number would be rebuilt one by one on the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { normalizeAddress } from "./phone.js";

export interface NumbersRequest {
  id: number;
  texts: string[];
}

export interface NumbersAnswer {
  id: number;
  entries: string;
}

const region = (workerData as { region: string | undefined }).region;

parentPort!.on("message", ({ id, texts }: NumbersRequest) => {
  const entries = texts.map((text) => {
    const normalized = normalizeAddress(text, region);
    return normalized.ok ? normalized.address : `\u0000${normalized.reason}`;
  });
  parentPort!.postMessage({ id, entries: entries.join("\n") } satisfies NumbersAnswer);
});
