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

/** The packages a process loaded (from node_modules), and whether undici's whole index came with it. */
async function packagesLoaded(args: string[], dir: string): Promise<{ code: number | null; packages: Set<string>; files: string[] }> {
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
  const files = (await readFile(out, "utf8")).split("\n").filter((line) => line.includes("/node_modules/"));
  const packages = new Set(files.map((file) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)![1]!));
  return { code, packages, files };
}

// Issue 24: what a command does not need is loaded only when it needs it.
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
    const run = await packagesLoaded(["run", campaignPath, "--studio-url", sim.url, "--rate", "2000"], dir);
    for (const name of ["yargs", "undici", "libphonenumber-js", "csv-parse", "p-limit"]) expect(run.packages).toContain(name);
    expect(run.packages).not.toContain("bottleneck");
    expect(run.files.filter((file) => file.endsWith("/node_modules/undici/index.js"))).toEqual([]);
    expect(sim.stats.created).toBe(20);
  });

  it("a cron rerun with nothing to do loads yargs and nothing of the sending stack or the parsers", async () => {
    expect((await runCli(["run", campaignPath, "--studio-url", sim.url])).code).toBe(0); // the checkpoint holds every row
    const rerun = await packagesLoaded(["run", campaignPath, "--studio-url", sim.url], dir);
    expect(rerun.packages).toContain("yargs");
    for (const name of ["undici", "bottleneck", "p-limit", "libphonenumber-js", "csv-parse", "ioredis", "pg"])
      expect(rerun.packages).not.toContain(name);
  });
});
