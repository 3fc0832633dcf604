import type { Argv } from "yargs";
import { startSimulator } from "../simulator/server.js";
import { loadFlowFiles } from "../simulator/flows.js";
import type { SimulatorCredential, SimulatorOptions } from "../simulator/options.js";

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
      .option("max-concurrent", { type: "number", describe: "more requests in flight than this answer 429 (Twilio's concurrency limit)" }),
  handler: async (argv: {
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
  }) => {
    const sids = (argv.flow ?? []).filter((f) => /^FW[0-9a-fA-F]{32}$/.test(f));
    const definitions = loadFlowFiles((argv.flow ?? []).filter((f) => !sids.includes(f)));
    const credentials: SimulatorCredential[] | undefined =
      argv["account-sid"] && argv["auth-token"] ? [{ username: argv["account-sid"], password: argv["auth-token"] }] : undefined;
    const options: SimulatorOptions = {
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
    };
    const simulator = await startSimulator(options);
    process.stderr.write(`Studio simulator listening on ${simulator.url} (rate ${argv.rate}/s, seed ${argv.seed})\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await simulator.close();
  },
};
