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
import { loadFlowFiles } from "../simulator/flows.js";
import { startSimulator } from "../simulator/server.js";
import { StudioClient } from "../studio/client.js";
import { Credentials } from "../studio/credentials.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = path.join(root, "dist/cli/main.js");
const campaignFile = path.join(root, "campaigns/demo.json");
const brokenCampaignFile = path.join(root, "campaigns/demo-missing-key.json");
const flowFile = path.join(root, "campaigns/demo-survey-flow.json");
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
  const simulator = await startSimulator({
    rate: 20,
    latencyMs: 30,
    credentials: [{ username: DEMO_ACCOUNT, password: DEMO_TOKEN }],
    flowDefinitions: loadFlowFiles([flowFile]),
    replyRate: 0.6,
    surveyMs: 4_000, // a survey takes a while: the contacts pre-activated below are still in theirs when the run meets them
  });

  const env: NodeJS.ProcessEnv = { ...process.env, TWILIO_ACCOUNT_SID: DEMO_ACCOUNT, TWILIO_AUTH_TOKEN: DEMO_TOKEN };
  delete env.TWILIO_API_KEY;
  delete env.TWILIO_API_SECRET;
  process.stdout.write(
    `Demo: simulator on ${simulator.url} (strict 20/s, 30 ms latency) serving the survey flow of campaigns/demo-survey-flow.json; ` +
      `${ALREADY_ACTIVE.length} contacts already active; 60 % of contacts answer each question.\n\n`,
  );
  process.stdout.write(`$ studio-campaign validate campaigns/demo.json --online   # the flow preflight too\n`);
  await cliRun(["validate", campaignFile, "--ledger", ledger, "--online", "--studio-url", simulator.url], env);
  process.stdout.write(
    `\n$ studio-campaign validate campaigns/demo-missing-key.json --online   # a campaign that forgets appointment_at\n`,
  );
  const refused = await cliRun(
    ["validate", brokenCampaignFile, "--ledger", path.join(outDir, "refused.ledger.jsonl"), "--online", "--studio-url", simulator.url],
    env,
  );
  process.stdout.write(`(exit ${refused}: refused before anything was sent)\n`);
  const credentials = new Credentials(DEMO_ACCOUNT, DEMO_TOKEN, DEMO_ACCOUNT);
  const client = new StudioClient({ baseUrl: simulator.url, credentials });
  const parameters = { first_name: "Pat", appointment_at: "2026-12-01 9:00" };
  for (const to of ALREADY_ACTIVE) await client.createExecution(DEMO_FLOW, { to, from: "+15017122661", parameters });
  await client.close();
  process.stdout.write(`\n$ studio-campaign run campaigns/demo.json --studio-url ${simulator.url}\n`);
  const code = await cliRun(["run", campaignFile, "--ledger", ledger, "--studio-url", simulator.url], env);
  process.stdout.write(`(exit ${code}: 1 means finished with invalid or failed rows — see the report)\n`);
  process.stdout.write(`\n$ studio-campaign run … again: nothing left to send\n`);
  await cliRun(["run", campaignFile, "--ledger", ledger, "--studio-url", simulator.url], env);
  process.stdout.write(`\n(waiting for the simulated contacts to answer…)\n$ studio-campaign results campaigns/demo.json\n`);
  await new Promise((resolve) => setTimeout(resolve, 4_500));
  await cliRun(["results", campaignFile, "--ledger", ledger, "--studio-url", simulator.url], env);
  await cliRun(["report", campaignFile, "--ledger", ledger, "--out", report], env);
  process.stdout.write(`\nReport: ${path.relative(process.cwd(), report)}\nLedger: ${path.relative(process.cwd(), ledger)}\n`);
  await simulator.close();
}

await main();
