import { AsyncLocalStorage } from "node:async_hooks";
import { spawn, type ChildProcess } from "node:child_process";
import { parse } from "csv-parse/sync";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCli as runCliInProcess } from "../../src/cli/run-cli.js";
import { childEnv, FLOW_SID } from "./env.js";

export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI as a child process: for signals, kill -9, real-time rates, and what reads the environment at load (DEBUG). */
export function runCliProcess(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  const child = startCli(args, options);
  return waitForExit(child);
}

interface Captured {
  stdout: string;
  stderr: string;
}

const capture = new AsyncLocalStorage<Captured>();
let patched = false;
/** The environment of the in-process calls under way (by its key), how many, and the one to restore after them. */
let running: { key: string; count: number; saved: NodeJS.ProcessEnv } | undefined;
/** Calls waiting for another environment than the running one, first come first served. */
const waiting: Array<{ env: NodeJS.ProcessEnv; key: string; admit: () => void }> = [];

/** Route process.stdout/stderr writes made inside a `runCli` call (and what it started) to that call. */
function patchOutput(): void {
  if (patched) return;
  patched = true;
  for (const name of ["stdout", "stderr"] as const) {
    const stream = process[name];
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const sink = capture.getStore();
      if (!sink) return original(chunk, ...rest);
      sink[name] += typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString();
      const callback = rest.find((arg): arg is () => void => typeof arg === "function");
      if (callback) queueMicrotask(callback);
      return true;
    }) as typeof stream.write;
  }
}

/**
 * Run the CLI in this process (`runCli` of src/cli/run-cli.ts, as `main.ts` does): the same
 * command line, exit code and output as the child process, without a Node start per call.
 * The environment is the call's for its duration: calls with the same one run at once, a call
 * with another waits for them (concurrent tests stay correct) — and, once one waits, later calls
 * queue behind it: else a test with its own environment waited until every test running beside it
 * with the common one had ended, and timed out on a slow machine.
 */
export async function runCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  patchOutput();
  const env = options.env ?? childEnv();
  await enter(env);
  const sink: Captured = { stdout: "", stderr: "" };
  try {
    const code = await capture.run(sink, () => runCliInProcess(args));
    return { code, signal: null, ...sink };
  } finally {
    leave();
  }
}

async function enter(env: NodeJS.ProcessEnv): Promise<void> {
  const key = JSON.stringify(Object.entries(env).sort(([a], [b]) => a.localeCompare(b)));
  if (!running) return void begin(env, key, 1);
  if (running.key === key && waiting.length === 0) return void running.count++;
  await new Promise<void>((admit) => waiting.push({ env, key, admit }));
}

/** The environment `env` for `count` calls. */
function begin(env: NodeJS.ProcessEnv, key: string, count: number): void {
  running = { key, count, saved: { ...process.env } };
  replaceEnv(env);
}

/** A call ended: the last of its environment restores the one before, and admits the first waiting call's environment, all its calls at once. */
function leave(): void {
  if (--running!.count > 0) return;
  replaceEnv(running!.saved);
  running = undefined;
  const next = waiting[0];
  if (!next) return;
  const admitted = waiting.filter((w) => w.key === next.key);
  waiting.splice(0, waiting.length, ...waiting.filter((w) => w.key !== next.key));
  begin(next.env, next.key, admitted.length);
  for (const w of admitted) w.admit();
}

function replaceEnv(env: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
}

/**
 * For a run whose pace is not what the test judges, against a simulator without a rate limit: at
 * the default 20/s a run of 60 contacts waits 3 s, which is waiting, not coverage.
 */
export const UNPACED = ["--rate", "500"];

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
export async function makeFixture(
  contactsCsv: string,
  campaign: Record<string, unknown> = {},
  files: Record<string, string> = {},
): Promise<Fixture> {
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
