/**
 * `npm run demo`: the demo campaign against the bundled simulator, end to end.
 * Starts the simulator on a free loopback port, marks a few demo contacts as already in an
 * active Execution (so the 409 policy shows), runs the CLI as an operator would, and writes the
 * report. Demo credentials only: the simulator accepts them, nothing leaves this machine.
 */
import { spawn } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startSimulator } from "../simulator/server.js";
import { StudioClient } from "../studio/client.js";
import { Credentials } from "../studio/credentials.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = path.join(root, "dist/cli/main.js");
const campaignFile = path.join(root, "campaigns/demo.json");
const outDir = path.join(root, ".demo");
const ledger = path.join(outDir, "demo-reminders.ledger.jsonl");
const report = path.join(outDir, "demo-reminders.report.csv");
const DEMO_ACCOUNT = "ACdddddddddddddddddddddddddddddddd";
const DEMO_TOKEN = "demo-token-not-a-secret";
const DEMO_FLOW = "FW0123456789abcdef0123456789abcdef";
const ALREADY_ACTIVE = ["+14155551020", "+14155551040", "+14155551060"];

function cliRun(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: "inherit", env });
  return new Promise((resolve) => child.on("close", (code) => resolve(code ?? 1)));
}

async function main(): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const simulator = await startSimulator({ rate: 20, latencyMs: 30, credentials: [{ username: DEMO_ACCOUNT, password: DEMO_TOKEN }] });
  const credentials = new Credentials(DEMO_ACCOUNT, DEMO_TOKEN, DEMO_ACCOUNT);
  const client = new StudioClient({ baseUrl: simulator.url, credentials });
  for (const to of ALREADY_ACTIVE) await client.createExecution(DEMO_FLOW, { to, from: "+15017122661" });
  await client.close();

  const env: NodeJS.ProcessEnv = { ...process.env, TWILIO_ACCOUNT_SID: DEMO_ACCOUNT, TWILIO_AUTH_TOKEN: DEMO_TOKEN };
  delete env.TWILIO_API_KEY;
  delete env.TWILIO_API_SECRET;
  process.stdout.write(`Demo: simulator on ${simulator.url} (strict 20/s, 30 ms latency); ${ALREADY_ACTIVE.length} contacts already active.\n\n`);
  process.stdout.write(`$ studio-campaign validate campaigns/demo.json\n`);
  await cliRun(["validate", campaignFile, "--ledger", ledger], env);
  process.stdout.write(`\n$ studio-campaign run campaigns/demo.json --studio-url ${simulator.url}\n`);
  const code = await cliRun(["run", campaignFile, "--ledger", ledger, "--studio-url", simulator.url], env);
  process.stdout.write(`(exit ${code}: 1 means finished with invalid or failed rows — see the report)\n`);
  process.stdout.write(`\n$ studio-campaign run … again: nothing left to send\n`);
  await cliRun(["run", campaignFile, "--ledger", ledger, "--studio-url", simulator.url], env);
  await cliRun(["report", campaignFile, "--ledger", ledger, "--out", report], env);
  process.stdout.write(`\nReport: ${path.relative(process.cwd(), report)}\nLedger: ${path.relative(process.cwd(), ledger)}\n`);
  await simulator.close();
}

await main();
