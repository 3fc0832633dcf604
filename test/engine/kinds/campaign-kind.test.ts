import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCampaign } from "../../../src/campaign/load-campaign.js";
import { kindOf } from "../../../src/engine/kinds/kind-of.js";

const SRC = fileURLToPath(new URL("../../../src/", import.meta.url));

/**
 * Where a campaign's schedule may be read: the kind that chooses (engine/kinds/), the standing
 * implementation (engine/standing/, the pure schedule/, the standing report), the definition that
 * loads it (campaign/), and the contacts pipeline's own narrow rules (a row's appointment columns).
 */
const MAY_READ_SCHEDULE = [
  /^engine\/kinds\//,
  /^engine\/standing\//,
  /^schedule\//,
  /^report\/standing-report\.ts$/,
  /^campaign\//,
  /^contacts\//,
];

/** A campaign's (or a follow-up's source's) `schedule`, read or destructured. */
const READS_SCHEDULE =
  /\b(?:campaign|source|sourceCampaign)\s*\??\.\s*schedule\b|\{[^}]*\bschedule\b[^}]*\}\s*=\s*(?:options\.)?(?:campaign|source)\b|\)\s*\??\.schedule\b(?!\s*\()/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith(".ts") ? [path.join(dir, entry.name)] : [],
  );
}

describe("a campaign's kind is chosen once", () => {
  it.each([
    ["campaign.schedule ? a : b", true],
    ["ctx.campaign.schedule?.keyColumn", true],
    ["const { schedule } = campaign;", true],
    ["(await loadCampaign(file)).schedule", true],
    ["source.schedule ? x : y", true],
    ["this.#limiter.schedule(job)", false],
    ["summary.schedule", false],
  ])("the check reads %s as a campaign's schedule: %s", (line, reads) => {
    expect(READS_SCHEDULE.test(line)).toBe(reads);
  });

  it("nothing outside the standing implementation reads a campaign's schedule to branch on it", () => {
    const files = sourceFiles(SRC).map((file) => path.relative(SRC, file).split(path.sep).join("/"));
    expect(files.length).toBeGreaterThan(100);
    const readers = files
      .filter((file) => !file.startsWith("simulator/") && !MAY_READ_SCHEDULE.some((allowed) => allowed.test(file)))
      .flatMap((file) =>
        readFileSync(path.join(SRC, file), "utf8")
          .split("\n")
          .flatMap((line, i) => (READS_SCHEDULE.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(readers).toEqual([]);
  });

  it("the `reminder` Parameter is added in one place (engine/standing/reminder-parameter.ts), and each kind says what it adds", async () => {
    const adds = /\.\.\.[\w.]*(?:parameters|parameterKeys)\b[\w.]*\s*,\s*(?:"reminder"|reminder\s*:)|(?<![\w\]])\[\s*"reminder"\s*\]/i;
    expect(adds.test(`[...new Set([...csv.parameterKeys, "reminder"])]`)).toBe(true);
    expect(adds.test(`{ ...contact.parameters, reminder: reminder.name }`)).toBe(true);
    expect(adds.test(`campaign.schedule ? ["reminder"] : []`)).toBe(true);
    expect(adds.test(`NonNullable<ReportRow["reminder"]>`)).toBe(false);
    const files = sourceFiles(SRC).filter((file) => adds.test(readFileSync(file, "utf8")));
    expect(files.map((file) => path.relative(SRC, file))).toEqual([]);
    const base = { name: "c", flowSid: "FW00000000000000000000000000000001", from: "+15017122661", contacts: "c.csv" };
    const survey = await kindOf(parseCampaign(base, "/tmp/c.json"));
    const standing = await kindOf(
      parseCampaign(
        {
          ...base,
          schedule: {
            key: "id",
            at: "at",
            reminders: [
              { name: "day-before", before: "1d" },
              { name: "two-hours", before: "2h" },
            ],
          },
        },
        "/tmp/c.json",
      ),
    );
    expect([survey.unit, survey.parameterKeys(["first_name"]), survey.addedParameters, survey.unitsPerRecord]).toEqual([
      "contact",
      ["first_name"],
      [],
      1,
    ]);
    expect([standing.unit, standing.parameterKeys(["first_name"]), standing.addedParameters, standing.unitsPerRecord]).toEqual([
      "reminder",
      ["first_name", "reminder"],
      ["reminder"],
      2,
    ]);
    expect([survey.checkpoint.finalPrefix, standing.checkpoint.finalPrefix]).toEqual([true, false]);
    expect([survey.appointmentParameter, standing.appointmentParameter]).toEqual([undefined, "id"]);
  });
});
