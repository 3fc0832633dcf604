import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { CLI, runCli } from "../helpers/cli.js";
import { childEnv, FLOW_SID, SIMULATOR_CREDENTIALS } from "../helpers/env.js";

const RECORDER = fileURLToPath(new URL("../helpers/record-modules.mjs", import.meta.url));

/**
 * What the bin's process loaded: the packages it took from node_modules, and the text of our
 * bundle's chunks it loaded (pure libraries are bundled into them: known by their own strings).
 */
async function loadedBy(args: string[], dir: string): Promise<{ packages: Set<string>; files: string[]; bundled: string }> {
  const out = path.join(dir, `modules-${Date.now()}-${Math.random()}.txt`);
  await writeFile(out, "");
  const child = spawn(process.execPath, ["--import", RECORDER, CLI, ...args], {
    env: { ...childEnv(), RECORD_MODULES: out },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`exit ${code}: ${stderr}`);
  const all = [...new Set((await readFile(out, "utf8")).split("\n").filter(Boolean))];
  const files = all.filter((line) => line.includes("/node_modules/"));
  const packages = new Set(files.map((file) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)![1]!));
  const chunks = all.filter((file) => file.startsWith(path.dirname(CLI)));
  const bundled = (await Promise.all(chunks.map((file) => readFile(file, "utf8")))).join("\n");
  return { packages, files, bundled };
}

/** Strings only each bundled library's own code holds. */
const MARKS = {
  yargs: "Not enough non-option arguments",
  "libphonenumber-js": "country_calling_codes",
  "csv-parse": "CSV_INVALID_CLOSING_QUOTE",
  "p-limit": "Expected `concurrency` to be a number from 1 and up",
};

// What a command does not need is loaded only when it needs it.
describe("start-up: what each kind of run loads", () => {
  let dir: string;
  let sim: Simulator;
  let campaignPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "startup-"));
    sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0 });
    const rows = Array.from({ length: 20 }, (_, i) => `+1415555${String(1000 + i)},n${i}`);
    await writeFile(path.join(dir, "contacts.csv"), `to,name\n${rows.join("\n")}\n`);
    campaignPath = path.join(dir, "c.json");
    await writeFile(campaignPath, JSON.stringify({ name: "c", flowSid: FLOW_SID, from: "+15017122661", contacts: "contacts.csv" }));
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("a run that sends flat out loads undici's Pool without its index and the parsers, and no Bottleneck (nothing to pace)", async () => {
    const run = await loadedBy(["run", campaignPath, "--studio-url", sim.url, "--rate", "2000"], dir);
    for (const mark of Object.values(MARKS)) expect(run.bundled).toContain(mark);
    expect(run.packages).toContain("undici");
    expect(run.packages).not.toContain("bottleneck");
    expect(run.files.filter((file) => file.endsWith("/node_modules/undici/index.js"))).toEqual([]);
    expect(sim.stats.created).toBe(20);
  });

  it("a cron rerun with nothing to do loads yargs and nothing of the sending stack or the parsers (no package at all from node_modules)", async () => {
    expect((await runCli(["run", campaignPath, "--studio-url", sim.url])).code).toBe(0); // the checkpoint holds every row
    const rerun = await loadedBy(["run", campaignPath, "--studio-url", sim.url], dir);
    expect(rerun.bundled).toContain(MARKS.yargs);
    for (const mark of [MARKS["libphonenumber-js"], MARKS["csv-parse"], MARKS["p-limit"]]) expect(rerun.bundled).not.toContain(mark);
    expect([...rerun.packages]).toEqual([]); // undici, Bottleneck, ioredis, pg: none
  });

  it("yargs, bundled into the bin, still says its own messages, in English whatever the locale", async () => {
    const child = spawn(process.execPath, [CLI, "run"], { env: { ...childEnv(), LC_ALL: "de_DE.UTF-8", LANG: "de_DE.UTF-8" } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    expect(await new Promise((resolve) => child.on("close", resolve))).toBe(2);
    expect(stderr).toBe("studio-campaign: Not enough non-option arguments: got 0, need at least 1\nRun with --help for usage.\n");
  });
});
