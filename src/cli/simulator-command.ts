import type { Argv } from "yargs";
import { startSimulator } from "../simulator/server.js";
import { createWriteStream, readFileSync } from "node:fs";
import { loadFlowFiles, type SimulatedFlow } from "../simulator/flows.js";
import { parseDefinition } from "../flow/definition.js";
import { flowProblems } from "../flow/run/check-flow.js";
import { ExitCode, ExitError } from "./exit-codes.js";
import type { SimulatorCredential, SimulatorOptions } from "../simulator/options.js";

interface SimulatorArgs {
  port: number;
  host: string;
  rate: number;
  latency: number;
  "auto-end"?: number | undefined;
  "fail-rate": number;
  "reset-rate": number;
  "drop-after-commit-rate": number;
  seed: number;
  "account-sid"?: string | undefined;
  "auth-token"?: string | undefined;
  flow?: string[] | undefined;
  "reply-rate": number;
  "undelivered-rate": number;
  "opt-out-rate": number;
  "survey-ms": number;
  "max-concurrent"?: number | undefined;
  log?: string | undefined;
  replies?: string | undefined;
}

export const simulatorCommand = {
  command: "simulator",
  describe: "Serve a local Studio v2 Executions simulator on loopback (docs/reference.md §8)",
  builder: (y: Argv) =>
    y
      .option("port", { type: "number", default: 4010, describe: "port to listen on (0: any free port)" })
      .option("host", { type: "string", default: "127.0.0.1", describe: "loopback address to listen on" })
      .option("rate", { type: "number", default: 20, describe: "accepted creates per second per account (0: unlimited)" })
      .option("latency", { type: "number", default: 0, describe: "delay before every response, ms" })
      .option("auto-end", { type: "number", describe: "executions end by themselves after this many ms" })
      .option("fail-rate", { type: "number", default: 0, describe: "probability of a 500 answer" })
      .option("reset-rate", { type: "number", default: 0, describe: "probability of dropping the connection before handling" })
      .option("drop-after-commit-rate", { type: "number", default: 0, describe: "probability of dropping the connection after a create" })
      .option("seed", { type: "number", default: 1, describe: "seed for faults and SIDs (replayable runs)" })
      .option("account-sid", { type: "string", describe: "accept only this account SID (with --auth-token)" })
      .option("auth-token", { type: "string", describe: "accept only this auth token (with --account-sid)" })
      .option("flow", {
        type: "string",
        array: true,
        describe:
          "a flow definition file (a Flow resource as JSON), a folder of them, or a Flow SID; others answer 404 (default: every " +
          "flow exists)",
      })
      .option("reply-rate", { type: "number", default: 0.6, describe: "share of simulated contacts that answer each question (seeded)" })
      .option("undelivered-rate", {
        type: "number",
        default: 0,
        describe: "share of first messages that fail, with an error code (seeded)",
      })
      .option("opt-out-rate", {
        type: "number",
        default: 0,
        describe: "share of replies that are an opt-out keyword such as STOP (seeded)",
      })
      .option("survey-ms", { type: "number", default: 1000, describe: "a played flow's Execution ends this long after creation, ms" })
      .option("max-concurrent", { type: "number", describe: "more requests in flight than this answer 429 (Twilio's concurrency limit)" })
      .option("log", { type: "string", describe: "write one JSON line per create and per message sent (its rendered body) to FILE" })
      .option("replies", {
        type: "string",
        describe:
          'script contacts\' replies from a JSON FILE: {"+15551230001": {"reply": "C", "late": [{"body": "x", "afterMs": 3600000}]}}',
      }),
  handler: async (argv: SimulatorArgs) => {
    const sids = (argv.flow ?? []).filter((f) => /^FW[0-9a-fA-F]{32}$/.test(f));
    const definitions = loadFlowFiles((argv.flow ?? []).filter((f) => !sids.includes(f)));
    // A flow it cannot run as Studio would is refused now, naming the widget, not played wrong later.
    const problems = definitions.flatMap((flow) => servedProblems(flow));
    if (problems.length > 0) throw new ExitError(ExitCode.usage, `cannot run these flows as Studio would:\n  ${problems.join("\n  ")}`);
    const log = argv.log === undefined ? undefined : openLog(argv.log);
    const options = { ...simulatorOptions(argv, { sids, definitions, log }), ...scriptedReplies(argv.replies) };
    const simulator = await startSimulator(options);
    process.stderr.write(`Studio simulator listening on ${simulator.url} (rate ${argv.rate}/s, seed ${argv.seed})\n`);
    for (const flow of definitions) process.stderr.write(`${servedLine(flow)}\n`);
    if (definitions.length === 0)
      process.stderr.write("serving every Flow SID as a one-message flow (give --flow FILE to play your own)\n");
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await simulator.close();
    await log?.close();
  },
};

/** `--replies FILE`: contacts' scripted replies, by number (docs/reference.md §8). */
function scriptedReplies(file: string | undefined): Pick<SimulatorOptions, "scriptedReplies"> {
  if (file === undefined) return {};
  let scripted: unknown;
  try {
    scripted = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ExitError(ExitCode.usage, `${file}: cannot read the scripted replies (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof scripted !== "object" || scripted === null || Array.isArray(scripted))
    throw new ExitError(ExitCode.usage, `${file}: must be an object of number → {"reply": …, "late": [{"body": …, "afterMs": …}]}`);
  return { scriptedReplies: scripted as NonNullable<SimulatorOptions["scriptedReplies"]> };
}

/** A served flow's problems: its published revision's, else its own definition's. */
function servedProblems(flow: SimulatedFlow): string[] {
  return flowProblems(flow.published?.definition ?? flow.definition).map(
    (p) => `flow ${flow.sid} (${flow.friendly_name ?? "unnamed"}): ${p}`,
  );
}

/** `flow FW… "Appointment reminder", revision 2: Trigger, by_reminder (split-based-on), confirm (send-and-wait-for-reply)`. */
function servedLine(flow: SimulatedFlow): string {
  const definition = parseDefinition(flow.published?.definition ?? flow.definition);
  const widgets = (definition?.states ?? []).map((w) => (w.type === "trigger" ? w.name : `${w.name} (${w.type})`)).join(", ");
  return `serving flow ${flow.sid} "${flow.friendly_name ?? "unnamed"}", revision ${flow.revision ?? 1}: ${widgets}`;
}

/** `--log FILE`: JSON lines, appended, mode 0600 (bodies name contacts). */
function openLog(file: string): { write: (entry: Record<string, unknown>) => void; close: () => Promise<void> } {
  const stream = createWriteStream(file, { flags: "a", mode: 0o600 });
  return {
    write: (entry) => void stream.write(`${JSON.stringify(entry)}\n`),
    close: () => new Promise((resolve) => stream.end(() => resolve())),
  };
}

/** The simulator's options from argv (docs/simulator.md). */
function simulatorOptions(
  argv: SimulatorArgs,
  served: { sids: string[]; definitions: SimulatedFlow[]; log: { write: (entry: Record<string, unknown>) => void } | undefined },
): SimulatorOptions {
  const { sids, definitions, log } = served;
  const credentials: SimulatorCredential[] | undefined =
    argv["account-sid"] && argv["auth-token"] ? [{ username: argv["account-sid"], password: argv["auth-token"] }] : undefined;
  return {
    port: argv.port,
    host: argv.host,
    rate: argv.rate,
    latencyMs: argv.latency,
    failRate: argv["fail-rate"],
    resetRate: argv["reset-rate"],
    dropAfterCommitRate: argv["drop-after-commit-rate"],
    seed: argv.seed,
    ...(argv["auto-end"] !== undefined ? { autoEndMs: argv["auto-end"] } : {}),
    ...(credentials ? { credentials } : {}),
    ...(sids.length > 0 ? { flows: sids } : {}),
    ...(definitions.length > 0 ? { flowDefinitions: definitions } : {}),
    replyRate: argv["reply-rate"],
    undeliveredRate: argv["undelivered-rate"],
    optOutRate: argv["opt-out-rate"],
    surveyMs: argv["survey-ms"],
    ...(argv["max-concurrent"] !== undefined ? { maxConcurrentRequests: argv["max-concurrent"] } : {}),
    ...(log ? { log: log.write } : {}),
  };
}
