import { once } from "node:events";
import type { CreateEvent } from "../../src/simulator/options.js";
import type { Simulator } from "../../src/simulator/server.js";
import { runCli, startCli, waitForExit, type CliResult } from "./cli.js";

/** Where a run is killed: the k-th create request of that run, as it arrives (nothing made yet) or once its Execution is made. */
export interface KillPoint {
  k: number;
  stage: CreateEvent["stage"];
}

/**
 * One run of the CLI as a child process, killed with -9 at `point`: the simulator awaits the kill
 * there, so the process dies mid-sending, every time — never a timer raced against its requests.
 * Resolves with the point (`committed #4`), or undefined when the run ended before reaching it.
 */
export async function runKilledAt(sim: Simulator, args: string[], point: KillPoint): Promise<string | undefined> {
  const child = startCli(args);
  const done = waitForExit(child);
  const counts = { arrived: 0, committed: 0 };
  let killed: string | undefined;
  sim.configure({
    onCreate: async (event) => {
      if (++counts[event.stage] !== point.k || event.stage !== point.stage || child.exitCode !== null) return;
      killed = `${point.stage} #${point.k}`;
      child.kill("SIGKILL");
      await once(child, "exit"); // the simulator goes on only once the process is gone
    },
  });
  try {
    await done;
  } finally {
    sim.configure({ onCreate: undefined });
  }
  return killed;
}

/** The same command again until it exits 0, five runs at most (what settles after faults may take more than one): the last run's result. */
export async function rerunUntilDone(args: string[]): Promise<CliResult> {
  let last = await runCli(args);
  for (let i = 0; i < 4 && last.code !== 0; i++) last = await runCli(args);
  return last;
}
