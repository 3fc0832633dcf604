import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import path from "node:path";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { contactsCsv, makeFixture, phoneNumbers, runCli, type Fixture } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../helpers/env.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(campaign: Record<string, unknown> = {}): Promise<{ sim: Simulator; f: Fixture }> {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0 });
  const f = await makeFixture(contactsCsv(phoneNumbers(3)), campaign);
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  return { sim, f };
}

/** One line on stderr naming `what`, no stack, exit 2, nothing sent. */
function expectOperatorError(result: { code: number | null; stderr: string }, sim: Simulator, what: RegExp): void {
  expect(result.code).toBe(2);
  // One error line (informational lines such as the expected duration may come before it).
  const errors = result.stderr
    .trim()
    .split("\n")
    .filter((line) => line.startsWith("studio-campaign:"));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(what);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(sim.stats.createArrivals).toHaveLength(0);
}

describe("operator errors are exit 2 with one line naming the file, never 'try again'", () => {
  it.each(["validate", "run"])("%s: a missing suppress file", async (command) => {
    const { sim, f } = await setup({ suppress: "no-such-opt-outs.csv" });
    const result = await runCli([command, f.campaignPath, "--studio-url", sim.url, "--no-preflight"].slice(0, command === "run" ? 6 : 2));
    expectOperatorError(result, sim, /no-such-opt-outs\.csv: cannot read the suppression file \(ENOENT\)/);
  });

  it("run: a ledger whose folder does not exist", async () => {
    const { sim, f } = await setup();
    const ledger = path.join(f.dir, "missing-folder", "c.ledger.jsonl");
    const result = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight", "--ledger", ledger]);
    expectOperatorError(
      result,
      sim,
      /missing-folder\/c\.ledger\.jsonl\.lock: cannot create the ledger's lock \(its folder does not exist\)/,
    );
  });

  it("run: a ledger path that is a folder", async () => {
    const { sim, f } = await setup();
    const result = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight", "--ledger", f.dir]);
    expectOperatorError(result, sim, /cannot (read|open) the ledger/);
  });

  it("run: a contacts file that does not exist", async () => {
    const { sim, f } = await setup({ contacts: "nope.csv" });
    const result = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight"]);
    expectOperatorError(result, sim, /nope\.csv: cannot read the contacts file \(ENOENT\)/);
  });
});

describe("a ledger that does not exist is exit 2 naming it, never an empty report", () => {
  it.each([
    ["report", ["--out", "r.csv"]],
    ["report", ["--html", "r.html"]],
    ["status", []],
    ["end", ["--yes"]],
    ["results", []],
  ] as const)("%s %s", async (command, flags) => {
    const { sim, f } = await setup();
    const typo = path.join(f.dir, "typo.ledger.jsonl");
    const out = flags.map((flag) => (flag.includes(".") ? path.join(f.dir, flag) : flag));
    const result = await runCli([
      command,
      f.campaignPath,
      "--ledger",
      typo,
      ...out,
      ...(command === "report" ? [] : ["--studio-url", sim.url]),
    ]);
    expectOperatorError(result, sim, /typo\.ledger\.jsonl: no such ledger: check --ledger, or run the campaign first/);
    expect(existsSync(path.join(f.dir, "r.csv")) || existsSync(path.join(f.dir, "r.html"))).toBe(false);
  });
});
