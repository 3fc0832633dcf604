/**
 * Where `validate`'s peak RSS goes (the ≤ 100 MB goal at 1 000 000 rows, or what
 * stands in the way). Runs `validate` in this process, under the bin's Node flags, and samples
 * the process's memory every 20 ms: Node alone at start, after the CLI's modules are loaded,
 * and at the peak — V8's heap spaces, and memory outside the heap (the duplicate table's
 * ArrayBuffer). Prints one JSON object.
 * Usage: node <bin flags> dist/bench/validate-memory.js <campaign.json>
 */
import v8 from "node:v8";

type Sample = ReturnType<typeof sample>;

function sample() {
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
  return { rss, heapTotal, heapUsed, external, arrayBuffers, spaces };
}

const file = process.argv[2];
if (!file) throw new Error("usage: validate-memory.js <campaign.json>");
const atStart = sample();
const { runCli } = await import("../cli/run-cli.js");
// What `validate` loads itself, loaded here first so that it is measured apart from the rows.
await import("../cli/validate-command.js");
await import("../engine/plan/plan-rows.js");
await import("csv-parse");
const loaded = sample();
let peak: Sample = loaded;
const timer = setInterval(() => {
  const now = sample();
  if (now.rss > peak.rss) peak = now;
}, 20);
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (() => true) as typeof process.stdout.write; // validate's summary is not the point here
const code = await runCli(["validate", file]);
process.stdout.write = write;
clearInterval(timer);
const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const shape = (s: Sample) => ({
  rss: mib(s.rss),
  heapTotal: mib(s.heapTotal),
  heapUsed: mib(s.heapUsed),
  external: mib(s.external),
  arrayBuffers: mib(s.arrayBuffers),
  spaces: Object.fromEntries(Object.entries(s.spaces).map(([k, v]) => [k, mib(v)])),
});
process.stdout.write(`${JSON.stringify({ code, atStart: shape(atStart), loaded: shape(loaded), peak: shape(peak) })}\n`);
