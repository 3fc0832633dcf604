import { afterEach, describe, expect, it } from "vitest";
import type { Simulator } from "../../src/simulator/server.js";
import { parseCsv, runCli, type Fixture } from "../helpers/cli.js";
import { exportFixture } from "../helpers/export.js";

/**
 * Contacts files as booking and practice-management systems write them (docs/reference.md §17):
 * each read with only a campaign file — no conversion script.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const setup = (bytes: Buffer, campaign: Record<string, unknown>) => exportFixture(bytes, campaign, cleanups);

const run = (f: Fixture, sim: Simulator) => runCli(["run", f.campaignPath, "--studio-url", sim.url, "--no-preflight", "--json"]);

/** A Windows export: windows-1252 (é as one byte 0xE9), CRLF, semicolons, a name with a comma in quotes, a Status column. */
const WINDOWS_EXPORT = Buffer.concat([
  Buffer.from("Mobile;Patient;Provider;Status\r\n"),
  Buffer.from("+14155550101;Jos"),
  Buffer.from([0xe9]),
  Buffer.from(' Núñez;"Lee, Dr";Booked\r\n'.replace("ú", "u").replace("ñ", "n")),
  Buffer.from('+14155550102;"Smith, Ann";Dr Lee;Cancelled\r\n'),
]);

describe("exports as they are written", () => {
  it("windows-1252, CRLF, semicolons detected, a quoted comma, a Status column: the accented name arrives whole, the cancelled row excluded", async () => {
    const { sim, f } = await setup(WINDOWS_EXPORT, {
      columns: { to: "Mobile", parameters: ["Patient", "Provider"] },
      csv: { encoding: "windows-1252" },
      exclude: { Status: ["Cancelled"] },
    });
    const result = await run(f, sim);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ created: 1, excluded: 1, invalid: 0 });
    expect(sim.executions().map((e) => e.parameters)).toEqual([{ Patient: "José Nunez", Provider: "Lee, Dr" }]);
  });

  it("the same export without csv.encoding: refused before anything is sent, naming the line and csv.encoding", async () => {
    const { sim, f } = await setup(WINDOWS_EXPORT, { columns: { to: "Mobile", parameters: ["Patient"] } });
    const result = await run(f, sim);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /contacts\.csv: line 2 is not UTF-8 text \(a Windows export\? set csv\.encoding, e\.g\. "windows-1252"\)/,
    );
    expect(sim.executions()).toHaveLength(0);
  });

  it("UTF-16 with its BOM (Excel's 'Unicode text'), tab-separated: read without being told", async () => {
    const text = "\ufeffto\tfirst_name\n+14155550101\tZoë\n+14155550102\tBjörk\n";
    const { sim, f } = await setup(Buffer.from(text, "utf16le"), { columns: { parameters: ["first_name"] } });
    const result = await run(f, sim);
    expect(result.code, result.stderr).toBe(0);
    expect(sim.executions().map((e) => e.parameters?.first_name)).toEqual(["Zoë", "Björk"]);
    // Read whole on every run (no prefix of a decoded file is skipped), and nothing twice.
    const again = await run(f, sim);
    expect(JSON.parse(again.stdout).counts).toMatchObject({ created: 2 });
    expect(sim.executions()).toHaveLength(2);
  });

  it("a delimiter set wrong: refused naming the one the file looks like", async () => {
    const { sim, f } = await setup(Buffer.from("Mobile;Patient\n+14155550101;Ann\n"), {
      columns: { to: "Mobile", parameters: ["Patient"] },
      csv: { delimiter: "," },
    });
    const result = await run(f, sim);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the header has no "Mobile" column .*; the file looks semicolon-separated: set csv\.delimiter/);
  });

  it("a row past the first 64 KiB that is not UTF-8: that row invalid, naming the line and csv.encoding; the rest sent", async () => {
    // 1 000 rows of ~75 bytes: the bad one starts past the first 64 KiB (the part read before the run to check the encoding).
    const filler = Array.from(
      { length: 1000 },
      (_, i) => `+1415${String(5550000 + i)},Patient ${i} of a long export with a name to fill the line\r\n`,
    );
    const bytes = Buffer.concat([
      Buffer.from(`to,first_name\r\n${filler.join("")}`),
      Buffer.from("+14159999999,Jos"),
      Buffer.from([0xe9, 0x0d, 0x0a]),
    ]);
    expect(bytes.indexOf(0xe9)).toBeGreaterThan(64 * 1024);
    const { sim, f } = await setup(bytes, { columns: { parameters: ["first_name"] }, rate: { perSecond: 100_000 } });
    const result = await run(f, sim);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).counts).toMatchObject({ created: 1000, invalid: 1 });
    const rows = parseCsv((await runCli(["report", f.campaignPath])).stdout).filter((r) => r.status === "invalid");
    expect(rows.map((r) => r.error_message)).toEqual(['line 1002 is not UTF-8 text (set csv.encoding, e.g. "windows-1252")']);
  });

  it.each([
    [{ csv: { delimiter: ":" } }, /"csv\.delimiter" must be one of ",", ";", "tab" or "\|"/],
    [{ csv: { encoding: "ebcdic" } }, /"csv\.encoding" must be "utf-8", "utf-16le", "utf-16be", "windows-1252", "latin1"/],
    [{ csv: { quote: "'" } }, /"csv\.quote" must be one of delimiter, encoding \(unknown key\)/],
  ])("%j is refused naming the key", async (campaign, message) => {
    const { sim, f } = await setup(Buffer.from("to\n+14155550101\n"), campaign);
    const result = await run(f, sim);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe("dates as the export writes them", () => {
  const US = "to,Appt Date,Appt Time\n+14155550101,12/04/2026,3:25 PM\n";
  const schedule = (at: unknown) => ({ key: "to", at, reminders: [{ name: "day-before", before: "1d" }] });

  it("without dateFormat, a US cell is invalid saying which formats it looks like — both, never a guess", async () => {
    const { sim, f } = await setup(Buffer.from(US), {
      schedule: schedule({ date: "Appt Date", time: "Appt Time" }),
      columns: { parameters: [] },
    });
    const result = await runCli(["validate", f.campaignPath]);
    expect(result.stdout).toContain(
      'row 1: invalid: Appt Date + Appt Time: not an ISO 8601 date-time: "12/04/2026 3:25 PM" (e.g. 2026-12-01T09:00 or 2026-12-01T09:00:00-05:00); ' +
        "it looks like MM/dd/yyyy h:mm a or dd/MM/yyyy h:mm a: set dateFormat",
    );
    expect(sim.executions()).toHaveLength(0);
  });

  it.each([
    [{ dateFormat: "MM/DD/YYYY h:mm a" }, /"dateFormat" must be Unicode date symbols: yyyy for the year \(YYYY is Moment's/],
    [{ schedule: schedule({ date: "Appt Date" }) }, /"schedule\.at\.time" must be a column name/],
    [
      { schedule: { ...schedule("Appt Date"), display: { when: "DD MMMM" } } },
      /"schedule\.display\.when" must be Unicode date symbols: d or dd for the day of the month \(DD is Moment's\)/,
    ],
    [{ locale: "not a tag!" }, /"locale" must be a BCP 47 language tag such as "en-US" or "es-US"/],
    [{ columns: { parameters: [], locale: "Lang" } }, /line 1: the header has no "Lang" column \(columns\.locale\)/],
    [{ schedule: schedule({ date: "Appt Date", time: "Time" }) }, /line 1: the header has no "Time" column \(schedule\.at\.time\)/],
  ])("%j is refused naming the key", async (campaign, message) => {
    const { sim, f } = await setup(Buffer.from(US), { columns: { parameters: [] }, schedule: schedule("Appt Date"), ...campaign });
    const result = await run(f, sim);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe("columns.parameters as an object: Parameter name → column (docs/reference.md §17)", () => {
  it("sends a column with spaces in its header under the name the flow reads", async () => {
    const csv = "Cell Phone,Patient First,Provider\n+14155550101,Ann,Dr Lee\n";
    const { sim, f } = await setup(Buffer.from(csv), {
      columns: { to: "Cell Phone", parameters: { first_name: "Patient First", provider: "Provider" } },
    });
    const result = await run(f, sim);
    expect(result.code, result.stderr).toBe(0);
    expect(sim.executions().map((e) => e.parameters)).toEqual([{ first_name: "Ann", provider: "Dr Lee" }]);
  });

  it.each([
    [{ "first name": "Patient First" }, /"columns\.parameters\.first name" must be a Parameter name of letters, digits and _/],
    [{ first_name: "First" }, /line 1: the header has no "First" column \(columns\.parameters\)/],
  ])("%j is refused naming the key", async (parameters, message) => {
    const { sim, f } = await setup(Buffer.from("Cell Phone,Patient First\n+14155550101,Ann\n"), {
      columns: { to: "Cell Phone", parameters },
    });
    const result = await run(f, sim);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe("every row invalid for one reason (docs/reference.md §17)", () => {
  const US3 =
    "to,Appt Date,Appt Time\n+14155550101,12/04/2026,3:25 PM\n+14155550102,12/05/2026,9:00 AM\n+14155550103,12/24/2026,10:00 AM\n";
  const standing = {
    columns: { parameters: [] },
    schedule: { key: "to", at: { date: "Appt Date", time: "Appt Time" }, reminders: [{ name: "r", before: "1d" }] },
  };

  it.each(["run", "validate"])("%s: refused once (exit 2) naming the reason and the first rows, nothing sent", async (command) => {
    const { sim, f } = await setup(Buffer.from(US3), standing);
    const result = await runCli([command, f.campaignPath, ...(command === "run" ? ["--studio-url", sim.url, "--no-preflight"] : [])]);
    expect(result.code).toBe(2);
    const lines = result.stderr
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("studio-campaign:"));
    expect(lines).toEqual([
      expect.stringMatching(
        /contacts\.csv: every row is invalid for one reason \(3 of 3; rows 1, 2, 3\): Appt Date \+ Appt Time: not an ISO 8601 date-time: "12\/04\/2026 3:25 PM" .*it looks like MM\/dd\/yyyy h:mm a or dd\/MM\/yyyy h:mm a: set dateFormat — nothing was sent$/,
      ),
    ]);
    expect(sim.executions()).toHaveLength(0);
  });

  it("one valid row and the rest invalid is a data problem: exit 1, the valid one sent", async () => {
    const csv = "to,first_name\n+14155550101,Ann\nnot-a-number,Bo\n12,Cy\n";
    const { sim, f } = await setup(Buffer.from(csv), { columns: { parameters: ["first_name"] } });
    const result = await run(f, sim);
    expect(result.code).toBe(1);
    expect(sim.executions()).toHaveLength(1);
  });
});
