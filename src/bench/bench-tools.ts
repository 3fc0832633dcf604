import { spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The CLI as an operator runs it: the bin file, with the Node flags of its shebang line. */
export const CLI_BIN = fileURLToPath(new URL("../cli/main.js", import.meta.url));

/** The Node flags of the bin's shebang line: a part of the CLI measured alone runs under them too. */
export function binNodeFlags(): string[] {
  const shebang = readFileSync(CLI_BIN, "utf8").split("\n", 1)[0] ?? "";
  return shebang.split(/\s+/).filter((word) => word.startsWith("--"));
}

export const BENCH_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  TWILIO_ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef",
  TWILIO_AUTH_TOKEN: "bench-token",
};

export interface Measured {
  code: number | null;
  stdout: string;
  /** From GNU time: wall seconds, CPU seconds (user + system), peak RSS in KiB. */
  wallSeconds: number;
  cpuSeconds: number;
  maxRssKib: number;
}

/** Run a command under /usr/bin/time (asynchronously: the simulator lives in this process). */
export function measure(command: string[], stdoutFile?: string): Promise<Measured> {
  const child = spawn("/usr/bin/time", ["-f", "__TIME__ %e %U %S %M", ...command], { env: BENCH_ENV, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  if (stdoutFile) child.stdout.pipe(createWriteStream(stdoutFile));
  else child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", (err) => reject(new Error(`cannot run /usr/bin/time (Debian package "time"): ${err.message}`)));
    child.on("close", (code) => {
      const line = stderr.split("\n").find((l) => l.startsWith("__TIME__"));
      if (!line) return reject(new Error(`no timing for ${command.join(" ")}: ${stderr.slice(-500)}`));
      const [, wall, user, sys, rss] = line.split(" ").map(Number) as [number, number, number, number, number];
      resolve({ code, stdout, wallSeconds: wall, cpuSeconds: user + sys, maxRssKib: rss });
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function contactsCsv(count: number, offset = 0): string {
  const lines = ["to,name"];
  for (let i = 0; i < count; i++) lines.push(`+1415${2000000 + offset + i},n${i}`);
  return `${lines.join("\n")}\n`;
}
