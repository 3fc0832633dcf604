import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Rate tests count requests per second against a strict server: files run one at a time
    // so that another file's load on this 2-core machine does not skew their clocks.
    fileParallelism: false,
  },
});
