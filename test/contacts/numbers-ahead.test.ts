import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NumbersAhead } from "../../src/contacts/numbers-ahead.js";
import { normalizeAddress } from "../../src/contacts/phone.js";
import { openContactRows, type PipelineRow } from "../../src/contacts/pipeline.js";
import type { ContactRules } from "../../src/contacts/rules.js";

// The worker runs built JavaScript (a worker thread starts from a file): tsc's output, and the
// bin's bundle (scripts/bundle-cli.mjs). `npm test` builds before vitest runs.
const BUILT = new URL("../../dist/contacts/number-worker.js", import.meta.url);
const BUNDLED = new URL("../../dist/cli/number-worker.js", import.meta.url);

const CELLS = [
  "+14155551000",
  " (415) 555-1001 ",
  "whatsapp:+14155551002",
  "WhatsApp:+14155551003",
  "not a number",
  "",
  "+1415555",
  "+44 20 7946 0958",
  'a "quoted"\nline',
  "+14155551000",
];

describe("NumbersAhead: numbers normalized on a worker thread", () => {
  it.each([
    ["tsc's output", BUILT],
    ["the bin's bundle", BUNDLED],
  ])("answers each cell as normalizeAddress does (%s)", async (_name, worker) => {
    for (const region of ["US", undefined]) {
      const ahead = new NumbersAhead({ region, worker });
      try {
        const answer = await ahead.ask(CELLS);
        expect(ahead.failed).toBe(false);
        expect([...answer.keys()].sort()).toEqual([...new Set(CELLS)].sort());
        for (const cell of CELLS) expect(answer.get(cell)).toEqual(normalizeAddress(cell, region));
      } finally {
        ahead.close();
      }
    }
  });

  it("answers nothing when its worker cannot start (each number is then normalized where it is needed)", async () => {
    const ahead = new NumbersAhead({ region: "US", worker: new URL("./no-such-worker.js", BUILT) });
    try {
      expect((await ahead.ask(CELLS)).size).toBe(0);
      expect(ahead.failed).toBe(true);
      expect((await ahead.ask(CELLS)).size).toBe(0);
    } finally {
      ahead.close();
    }
  });
});

describe("the pipeline's batches with numbers normalized ahead", () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), "ahead-"))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const rules = (contactsPath: string): ContactRules => ({
    contactsPath,
    from: "+15017122661",
    defaultRegion: "US",
    parameters: {},
    columns: { to: "to", parameters: ["name"], from: "from", timezone: undefined, notAfter: undefined },
    window: undefined,
  });

  async function verdicts(file: string, numbersAhead?: { worker: URL }): Promise<PipelineRow["verdict"][]> {
    const rows = await openContactRows(rules(file), { numbersAhead });
    const out: PipelineRow["verdict"][] = [];
    for await (const batch of rows.batches()) for (const row of batch) out.push(row.verdict);
    return out;
  }

  it("gives every row the verdict it has without them, whether the worker runs or cannot start", async () => {
    const file = path.join(dir, "contacts.csv");
    const lines = ["to,from,name"];
    // Many batches (the parser hands out a 16 KiB chunk's records at a time), every kind of number.
    for (let i = 0; i < 3000; i++) {
      const to = [
        `+1415555${String(i % 700).padStart(4, "0")}`,
        `(415) 555-${String(i % 700).padStart(4, "0")}`,
        "nope",
        "",
        `whatsapp:+1628555${String(i).padStart(4, "0")}`,
      ][i % 5];
      const from = ["+15017122661", "MG0123456789abcdef0123456789abcdef", "bad sender", " +15017122662 "][i % 4];
      lines.push(`${to},${from},n${i}`);
    }
    await writeFile(file, `${lines.join("\n")}\n`);
    const alone = await verdicts(file);
    expect(alone).toHaveLength(3000);
    expect(new Set(alone.map((verdict) => verdict.status))).toEqual(new Set(["sendable", "invalid", "duplicate"]));
    expect(await verdicts(file, { worker: BUILT })).toEqual(alone);
    expect(await verdicts(file, { worker: new URL("./no-such-worker.js", BUILT) })).toEqual(alone);
  });
});
