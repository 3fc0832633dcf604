import { defineConfig } from "vitest/config";

/**
 * Files that judge a pace in real time (starts a second, as the limiter recorded them) run after
 * the rest, together: on this 2-core machine another file's load would skew their clocks (their
 * own independent cases run at once: light work). Everything else runs three files at a time —
 * mostly waiting (timeouts, backoff, child processes), not work —
 * (https://vitest.dev/guide/recipes/parallel-sequential). The Redis tests judge only what the
 * shared gate granted (never more than the limit in a window, every contact once): true at any
 * speed, so they run with the rest.
 */
const TIMING = ["test/acceptance/rate.test.ts", "test/cli/sender-pace.test.ts"];

export default defineConfig({
  test: {
    // The transformed modules kept in node_modules/.experimental-vitest-cache, keyed by their
    // content and the configuration (https://vitest.dev/config/experimental#experimental-fsmodulecache):
    // a rerun does not transform src/ and test/ again in every worker.
    experimental: { fsModuleCache: true },
    // A hang's bound, not a pace: the heaviest cases (five crash seeds at once, ~10 s alone) took
    // 15-20 s in a full suite and over 30 s once on a machine slowed by its neighbours.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        test: {
          name: "parallel",
          include: ["test/**/*.test.ts"],
          exclude: TIMING,
          maxWorkers: 3,
          // Files share a worker's module cache (no test file keeps state in src/ modules):
          // importing src/ once per worker, not once per file, saves ~5 s.
          isolate: false,
          sequence: { groupOrder: 0 },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "timing",
          include: TIMING,
          // Both files at once: five light child processes at 20 creates a second at most.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
