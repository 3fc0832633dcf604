import { setFlagsFromString } from "node:v8";

/**
 * How far V8 lets its old generation grow past what a full collection left, in per cent, while a
 * whole large export is read (0: V8's own choice, its default). A reading of a million rows
 * promotes ~150 MB of short-lived rows a second out of the 4 MB young generation (the bin's
 * `--max-semi-space-size=4`), and V8, seeing its full collections cheap, let the old generation
 * reach ~4× the ~45 MB they kept before collecting it again: ~200 MB of heap of which a quarter
 * was alive, the tick's peak. At 100 % (twice what was kept) the peak is ~90 MB lower, for about
 * the same time (BENCHMARKS.md).
 *
 * V8's `--heap-growing-percent` is read at each collection, so it can be set while the process
 * runs (node:v8 `setFlagsFromString`; Node warns that a flag changed after start may behave
 * unpredictably: this one only moves the next collection's trigger, and the bench measures it).
 * One reading at a time sets it; the last to finish puts V8's own choice back.
 */
const TIGHT_PERCENT = 100;
let readings = 0;

/** Keep the heap tight until the returned function is called (once). `setFlags`: V8's, but in a test. */
export function tightenHeapGrowth(setFlags: (flags: string) => void = setFlagsFromString): () => void {
  if (readings++ === 0) setFlags(`--heap-growing-percent=${TIGHT_PERCENT}`);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--readings === 0) setFlags("--heap-growing-percent=0");
  };
}
