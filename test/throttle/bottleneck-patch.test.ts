import { describe, expect, it } from "vitest";
import { StudioCampaignError } from "../../src/errors.js";
import { assertBottleneckPatched } from "../../src/throttle/redis-connection.js";

describe("assertBottleneckPatched", () => {
  it("passes on the installed copy (patched at build, bundled in the package)", () => {
    expect(() => assertBottleneckPatched()).not.toThrow();
  });

  it("an unpatched copy is a broken install (exit 2), not a stack trace", () => {
    const unpatched = () => "module.exports = {}";
    expect(() => assertBottleneckPatched(unpatched)).toThrow(StudioCampaignError);
    expect(() => assertBottleneckPatched(unpatched)).toThrow(/reinstall studio-campaign/);
    try {
      assertBottleneckPatched(unpatched);
    } catch (err) {
      expect((err as StudioCampaignError).code).toBe("BROKEN_INSTALL");
    }
  });
});
