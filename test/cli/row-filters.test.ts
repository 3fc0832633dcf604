import { afterEach, describe, expect, it } from "vitest";
import { exclusionOf, type RowFilters } from "../../src/contacts/row-filters.js";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { makeFixture, parseCsv, runCli, type Fixture } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../helpers/env.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const filters = (exclude: Record<string, string[]>, only: Record<string, string[]> = {}): RowFilters => ({
  exclude: Object.entries(exclude).map(([column, values]) => ({ column, values: new Set(values.map((v) => v.toLowerCase())) })),
  only: Object.entries(only).map(([column, values]) => ({ column, values: new Set(values.map((v) => v.toLowerCase())) })),
});

describe("exclusionOf: exclude and only, trimmed and case-insensitive (docs/reference.md §17)", () => {
  it.each([
    ["a listed status", { Status: "Cancelled" }, filters({ Status: ["cancelled"] }), 'Status is "Cancelled"'],
    ["case and spaces", { Status: "  CANCELLED " }, filters({ Status: ["Cancelled"] }), 'Status is "CANCELLED"'],
    ["another status", { Status: "Booked" }, filters({ Status: ["Cancelled"] }), undefined],
    ["an empty cell is not a listed value", { Status: "" }, filters({ Status: ["Cancelled"] }), undefined],
    ["only: in the list", { Location: "Main St" }, filters({}, { Location: ["main st", "Mission St"] }), undefined],
    ["only: not in it", { Location: "Elm St" }, filters({}, { Location: ["Main St"] }), 'Location is "Elm St", not one of only.Location'],
    [
      "exclude before only",
      { Status: "No Show", Location: "Elm St" },
      filters({ Status: ["No Show"] }, { Location: ["Main St"] }),
      'Status is "No Show"',
    ],
    ["no filters", { Status: "Cancelled" }, undefined, undefined],
  ])("%s", (_name, fields, rowFilters, expected) => {
    expect(exclusionOf(rowFilters, fields)).toBe(expected);
  });
});

async function setup(csv: string, campaign: Record<string, unknown>): Promise<{ sim: Simulator; f: Fixture }> {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0 });
  const f = await makeFixture(csv, campaign);
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  return { sim, f };
}

const SURVEY =
  "to,first_name,Status,Location\n+14155550101,Ann,Booked,Main St\n+14155550102,Bo,No Show,Main St\n+14155550103,Cy,Booked,Elm St\n+14155550104,Di, cancelled ,Main St\n";

describe("a survey's exclude and only", () => {
  it("excluded rows are never sent, recorded `excluded` with the column and value, and are not errors (exit 0)", async () => {
    const { sim, f } = await setup(SURVEY, { exclude: { Status: ["Cancelled", "No Show"] }, only: { Location: ["Main St"] } });
    const run = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).counts).toMatchObject({ created: 1, excluded: 3, invalid: 0 });
    expect(sim.executions().map((e) => e.to)).toEqual(["+14155550101"]);
    const rows = parseCsv((await runCli(["report", f.campaignPath])).stdout);
    expect(rows.map((r) => `${r.row} ${r.status} ${r.error_message}`)).toEqual([
      "1 created ",
      '2 excluded Status is "No Show"',
      '3 excluded Location is "Elm St", not one of only.Location',
      '4 excluded Status is "cancelled"',
    ]);
    const again = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight", "--json"]);
    expect(JSON.parse(again.stdout).counts).toMatchObject({ created: 1, excluded: 3 });
    expect(sim.executions()).toHaveLength(1);
  });

  it.each([
    [{ exclude: { Stat: ["Cancelled"] } }, /line 1: the header has no "Stat" column \(exclude\.Stat\)/],
    [{ only: { Clinic: ["Main St"] } }, /line 1: the header has no "Clinic" column \(only\.Clinic\)/],
    [{ exclude: { Status: "Cancelled" } }, /"exclude\.Status" must be a non-empty list of values/],
    [{ exclude: {} }, /"exclude" must be an object of column → values/],
  ])("%j is refused with one line naming the key, exit 2, nothing sent", async (campaign, message) => {
    const { sim, f } = await setup(SURVEY, campaign);
    const run = await runCli(["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(sim.executions()).toHaveLength(0);
  });
});
