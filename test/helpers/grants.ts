import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** A start the limiter granted: when, and for which sender (local trace) or gate key (Redis). */
export interface Grant {
  at: number;
  /** The sender (`DEBUG=studio-campaign:starts`), or the Redis gate's key. */
  scope: string;
}

/** The starts a CLI process printed with `DEBUG=studio-campaign:starts`: its limiter's own grants, after every gate. */
export function tracedStarts(stderr: string): Grant[] {
  const grants: Grant[] = [];
  for (const match of stderr.matchAll(/^studio-campaign:starts (\d+) (\S+)$/gm)) grants.push({ at: Number(match[1]), scope: match[2]! });
  return grants;
}

/**
 * The grants of the shared window gates, read from Redis itself: `MONITOR` shows the commands a
 * script runs (`[0 lua] "ZADD" key score member`), and the gate's ZADD scores a grant with
 * Redis's clock. Only grants are ZADDed: a refusal adds nothing. Reconnect after a restart.
 */
export class GateGrants {
  readonly #port: number;
  readonly #grants: Grant[] = [];
  #monitor: ChildProcess | undefined;

  constructor(port: number) {
    this.#port = port;
  }

  /** Start (or restart, after Redis did) listening; resolves once MONITOR is on. */
  async watch(): Promise<void> {
    this.#monitor?.kill();
    const monitor = spawn("redis-cli", ["-p", String(this.#port), "monitor"], { stdio: ["ignore", "pipe", "ignore"] });
    this.#monitor = monitor;
    const lines = createInterface({ input: monitor.stdout! });
    await new Promise<void>((resolve, reject) => {
      monitor.once("error", reject);
      lines.on("line", (line) => {
        if (line === "OK") resolve();
        const zadd = /\[\d+ lua\] "ZADD" "([^"]+:starts)" "(\d+)"/.exec(line);
        if (zadd) this.#grants.push({ scope: zadd[1]!, at: Number(zadd[2]) });
      });
    });
  }

  /** Every grant seen, by gate key. */
  byScope(): Map<string, number[]> {
    const byScope = new Map<string, number[]>();
    for (const { scope, at } of this.#grants) byScope.set(scope, [...(byScope.get(scope) ?? []), at]);
    return byScope;
  }

  stop(): void {
    this.#monitor?.kill();
  }
}
