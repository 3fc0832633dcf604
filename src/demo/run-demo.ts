/**
 * `npm run demo`: the demo campaign against the bundled simulator, end to end.
 * Starts the simulator on a free loopback port, marks a few demo contacts as already in an
 * active Execution (so the 409 policy shows), runs the CLI as an operator would, and writes the
 * report. Demo credentials only: the simulator accepts them, nothing leaves this machine.
 */
import { spawn } from "node:child_process";
import { copyFile, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadFlowFiles } from "../simulator/flows.js";
import { runAppointmentsDemo } from "./appointments-demo.js";
import { startSimulator } from "../simulator/server.js";
import { StudioClient } from "../studio/client.js";
import { Credentials } from "../studio/credentials.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = path.join(root, "dist/cli/main.js");
const outDir = path.join(root, ".demo");
/** The demo works on copies in .demo/: the campaigns' shared opt-out list, ledgers and reports land there, not in campaigns/. */
const DEMO_FILES = [
  "demo.json",
  "demo-missing-key.json",
  "demo-reminder.json",
  "demo-thanks.json",
  "demo-contacts.csv",
  "demo-opt-outs.csv",
  "demo-appointments.json",
];
/** The survey's sender (campaigns/demo.json): a Messaging Service whose pool carries 20 messages/s (rate.senderMps 20), the demo's pace. */
const DEMO_SENDER = "MG00000000000000000000000000000de1";
const campaignFile = path.join(outDir, "demo.json");
const brokenCampaignFile = path.join(outDir, "demo-missing-key.json");
const thanksCampaignFile = path.join(outDir, "demo-thanks.json");
const reminderCampaignFile = path.join(outDir, "demo-reminder.json");
const flowFiles = ["demo-survey-flow.json", "demo-reminder-flow.json", "demo-thanks-flow.json", "demo-appointments-flow.json"].map((f) =>
  path.join(root, "campaigns", f),
);
const report = path.join(outDir, "demo-survey.first-wave.report.csv");
const thanksReport = path.join(outDir, "demo-thanks.report.csv");
const surveyReport = path.join(outDir, "demo-survey.report.csv");
const htmlReport = path.join(outDir, "demo-survey.report.html");
const appointmentsReport = path.join(outDir, "demo-appointments.report.csv");
const appointmentsHtml = path.join(outDir, "demo-appointments.report.html");
const DEMO_ACCOUNT = "ACdddddddddddddddddddddddddddddddd";
const DEMO_TOKEN = "demo-token-not-a-secret";
const DEMO_FLOW = "FW0123456789abcdef0123456789abcdef";
const SURVEY_MS = 4_000;
const ALREADY_ACTIVE = ["+14155551020", "+14155551040", "+14155551060"];

function cliRun(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: "inherit", env });
  return new Promise((resolve) => child.on("close", (code) => resolve(code ?? 1)));
}

const say = (text: string) => process.stdout.write(text);

async function main(): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  for (const file of DEMO_FILES) await copyFile(path.join(root, "campaigns", file), path.join(outDir, file));
  const simulator = await startSimulator({
    rate: 20,
    latencyMs: 30,
    credentials: [{ username: DEMO_ACCOUNT, password: DEMO_TOKEN }],
    flowDefinitions: loadFlowFiles(flowFiles),
    replyRate: 0.6,
    undeliveredRate: 0.1,
    optOutRate: 0.12,
    // Two contacts replied STOP to the survey's sender last month, outside this tool: Twilio refuses that sender (21610).
    optedOutAtSender: ["+14155551005", "+14155551009"].map((to) => ({ to, from: DEMO_SENDER })),
    surveyMs: SURVEY_MS, // a survey takes a while: the contacts pre-activated below are still in theirs when the run meets them
  });
  const urls = ["--studio-url", simulator.url];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TWILIO_ACCOUNT_SID: DEMO_ACCOUNT,
    TWILIO_AUTH_TOKEN: DEMO_TOKEN,
    TWILIO_API_BASE_URL: simulator.url, // Programmable Messaging (failed messages' error codes): the simulator too
  };
  delete env.TWILIO_API_KEY;
  delete env.TWILIO_API_SECRET;
  say(
    `Demo: simulator on ${simulator.url} (strict 20/s, 30 ms latency) serving the survey flow of campaigns/demo-survey-flow.json; ` +
      `${ALREADY_ACTIVE.length} contacts already active; 60 % of contacts answer each question, 12 % of replies are STOP ` +
      `(in any case and spacing), 10 % of first messages fail. Files in ${path.relative(process.cwd(), outDir) || outDir}/.\n\n`,
  );
  say(`$ studio-campaign validate demo.json --online   # the flow preflight too\n`);
  await cliRun(["validate", campaignFile, "--online", ...urls], env);
  say(`\n$ studio-campaign validate demo-missing-key.json --online   # a campaign that forgets appointment_at\n`);
  const refused = await cliRun(["validate", brokenCampaignFile, "--online", ...urls], env);
  say(`(exit ${refused}: refused before anything was sent)\n`);
  const credentials = new Credentials(DEMO_ACCOUNT, DEMO_TOKEN, DEMO_ACCOUNT);
  const client = new StudioClient({ baseUrl: simulator.url, credentials });
  const parameters = { first_name: "Pat", appointment_at: "2026-12-01 9:00" };
  for (const to of ALREADY_ACTIVE) await client.createExecution(DEMO_FLOW, { to, from: DEMO_SENDER, parameters });
  say(`\n$ studio-campaign preview demo.json --rows 2 --reply ask_rating=2   # what row 2 will read, if they answer 2\n`);
  await cliRun(["preview", campaignFile, "--rows", "2", "--reply", "ask_rating=2", ...urls], env);
  say(`\n$ studio-campaign run demo.json\n`);
  const code = await cliRun(["run", campaignFile, ...urls], env);
  say(`(exit ${code}: 1 means finished with invalid or failed rows — see the report)\n`);
  say(`\n$ studio-campaign run demo.json   # again: nothing left to send\n`);
  await cliRun(["run", campaignFile, ...urls], env);
  say(`\n(waiting for the simulated contacts to answer…)\n`);
  await new Promise((resolve) => setTimeout(resolve, 4_500));
  // One Execution is deleted, as Studio does 30 days after it started: its outcome is unknown.
  const [gone] = simulator.executions().filter((e) => e.flowSid === DEMO_FLOW && !ALREADY_ACTIVE.includes(e.to));
  if (gone) await client.deleteExecution(DEMO_FLOW, gone.sid);
  say(`$ studio-campaign results demo.json   # answers and outcomes; opt-outs go to the shared opt-out list\n`);
  await cliRun(["results", campaignFile, ...urls], env);
  await cliRun(["report", campaignFile, "--out", report], env);
  say(`\n$ studio-campaign opt-outs demo.json\n`);
  await cliRun(["opt-outs", campaignFile], env);
  say(`\n$ studio-campaign validate demo-reminder.json   # a follow-up: no_reply and partial, 5 s after their survey\n`);
  await cliRun(["validate", reminderCampaignFile], env);
  say(`\n$ studio-campaign run demo-reminder.json\n`);
  await cliRun(["run", reminderCampaignFile, ...urls], env);
  await new Promise((resolve) => setTimeout(resolve, 4_500));
  say(`\n$ studio-campaign results demo-reminder.json\n`);
  await cliRun(["results", reminderCampaignFile, ...urls], env);
  say(
    `\n$ studio-campaign report demo.json --follow-up demo-reminder.json --out demo-survey.report.csv --html demo-survey.report.html` +
      `   # both waves: one sheet, one page\n`,
  );
  await cliRun(["report", campaignFile, "--follow-up", reminderCampaignFile, "--out", surveyReport, "--html", htmlReport], env);
  say(
    `\n$ studio-campaign run demo-thanks.json   # another flow and sender: nobody who opted out is texted; ` +
      `rate.maxPerDay 30 (midnight Pacific)\n`,
  );
  const capped = await cliRun(["run", thanksCampaignFile, ...urls], env);
  say(`(exit ${capped}: the daily cap; the next run after midnight Pacific continues)\n`);
  say(`\n$ studio-campaign run demo-thanks.json   # again, the same day: nothing more\n`);
  await cliRun(["run", thanksCampaignFile, ...urls], env);
  await new Promise((resolve) => setTimeout(resolve, 4_500));
  say(`\n$ studio-campaign results demo-thanks.json\n`);
  await cliRun(["results", thanksCampaignFile, ...urls], env);
  await cliRun(["report", thanksCampaignFile, "--out", thanksReport], env);
  await client.close();
  await runAppointmentsDemo({
    campaignFile: path.join(outDir, "demo-appointments.json"),
    exportFile: path.join(outDir, "demo-appointments.csv"),
    cli: (args) => cliRun([...args, ...(["report", "validate", "confirmations"].includes(args[0]!) ? [] : urls)], env),
    say,
    report: appointmentsReport,
    confirmations: path.join(outDir, "demo-confirmations.csv"),
    htmlReport: appointmentsHtml,
    executionMs: SURVEY_MS,
  });
  const shown = (file: string) => path.relative(process.cwd(), file) || file;
  say(
    `\nReports: ${shown(report)}, ${shown(surveyReport)} (both waves), ${shown(thanksReport)}, ${shown(appointmentsReport)}\n` +
      `HTML reports (open them in a browser, offline): ${shown(htmlReport)}, ${shown(appointmentsHtml)}\n` +
      `Opt-out list: ${shown(path.join(outDir, "opt-outs.csv"))}\n`,
  );
  await simulator.close();
}

await main();
