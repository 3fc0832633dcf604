import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { SimulatorOptions } from "../../src/simulator/options.js";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import { makeFixture, type Fixture } from "./cli.js";
import { SIMULATOR_CREDENTIALS } from "./env.js";

/**
 * A simulator and a campaign whose contacts file is `bytes` exactly as an export writes them (any
 * encoding, delimiter, line ends). `cleanups` takes what closes them.
 */
export async function exportFixture(
  bytes: Buffer,
  campaign: Record<string, unknown>,
  cleanups: Array<() => Promise<void>>,
  simulator: SimulatorOptions = {},
): Promise<{ sim: Simulator; f: Fixture }> {
  const sim = await startSimulator({ credentials: SIMULATOR_CREDENTIALS, rate: 0, ...simulator });
  const f = await makeFixture("to\n", campaign);
  await writeFile(path.join(f.dir, "contacts.csv"), bytes);
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  return { sim, f };
}
