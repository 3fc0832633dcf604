import { spawn, type ChildProcess } from "node:child_process";
import { parse } from "csv-parse/sync";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { childEnv, FLOW_SID } from "./env.js";

export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI as a child process. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  const child = startCli(args, options);
  return waitForExit(child);
}

export function startCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { env: options.env ?? childEnv(), cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
}

export function waitForExit(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

export interface Fixture {
  dir: string;
  campaignPath: string;
  ledgerPath: string;
  cleanup(): Promise<void>;
}

/** A campaign and its contacts in a fresh temp folder. */
export async function makeFixture(contactsCsv: string, campaign: Record<string, unknown> = {}, files: Record<string, string> = {}): Promise<Fixture> {
  const dir = await mkdtemp(path.join(tmpdir(), "studio-campaign-"));
  const body = {
    name: "test-campaign",
    flowSid: FLOW_SID,
    from: "+15017122661",
    contacts: "contacts.csv",
    defaultRegion: "US",
    ...campaign,
  };
  await writeFile(path.join(dir, "campaign.json"), JSON.stringify(body, null, 2));
  await writeFile(path.join(dir, "contacts.csv"), contactsCsv);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return {
    dir,
    campaignPath: path.join(dir, "campaign.json"),
    ledgerPath: path.join(dir, `${String(body.name)}.ledger.jsonl`),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** `n` distinct valid US numbers: +1415555NNNN. */
export function phoneNumbers(n: number, start = 1000): string[] {
  return Array.from({ length: n }, (_, i) => `+1415555${String(start + i).padStart(4, "0")}`);
}

export function contactsCsv(numbers: string[], extra: (i: number) => string = (i) => `name${i}`): string {
  return `to,name\n${numbers.map((n, i) => `${n},${extra(i)}`).join("\n")}\n`;
}

export { maxPerWindow } from "../../src/simulator/rate-window.js";

/** The shortest time spanned by `n` consecutive arrivals: under 1000 ms for n = rate + 1 is one start too many in a window. */
export function tightestSpan(times: readonly number[], n: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let tightest = Infinity;
  for (let i = 0; i + n - 1 < sorted.length; i++) tightest = Math.min(tightest, sorted[i + n - 1]! - sorted[i]!);
  return tightest;
}

/** A report or any CSV with a header, as rows of named cells. */
export function parseCsv(text: string): Array<Record<string, string>> {
  return parse(text, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
}
