import { readFile } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/server.js";
import type { SimulatorOptions } from "../../src/simulator/options.js";
import { makeFixture, parseCsv, phoneNumbers, runCli, startCli, waitForExit, type Fixture } from "../helpers/cli.js";
import { SIMULATOR_CREDENTIALS } from "../helpers/env.js";
import { SURVEY_COLUMNS, surveyCsv, surveyFlow } from "../helpers/survey.js";

const cleanups: Array<() => Promise<void>> = [];
// Tests run at once (each has its own simulator and folder): cleaned when the file is done.
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function surveyed(
  n: number,
  options: SimulatorOptions = {},
  campaign: Record<string, unknown> = {},
): Promise<{ sim: Simulator; f: Fixture }> {
  const sim = await startSimulator({
    credentials: SIMULATOR_CREDENTIALS,
    rate: 0,
    flowDefinitions: [surveyFlow()],
    replyRate: 0.6,
    surveyMs: 200,
    ...options,
  });
  const f = await makeFixture(surveyCsv(phoneNumbers(n)), { columns: SURVEY_COLUMNS, ...campaign });
  cleanups.push(
    () => sim.close(),
    () => f.cleanup(),
  );
  const ran = await runCli(["run", f.campaignPath, "--studio-url", sim.url]);
  expect(ran.code, ran.stderr).toBe(0);
  await new Promise((r) => setTimeout(r, 250)); // every survey ends (surveyMs)
  return { sim, f };
}

const results = (f: Fixture, sim: Simulator, ...flags: string[]) => runCli(["results", f.campaignPath, "--studio-url", sim.url, ...flags]);

/** What the simulated contacts really answered, by number, from the simulator's own record. */
function answersAt(sim: Simulator, widget: string): Map<string, string> {
  const answers = new Map<string, string>();
  for (const e of sim.executions()) {
    const reply = e.steps?.find((s) => s.widget === widget)?.inbound?.Body;
    if (typeof reply === "string") answers.set(e.to, reply);
  }
  return answers;
}

describe.concurrent("results: what each contact answered (docs/reference.md §11)", () => {
  it("records every answered contact's replies in the question columns, empty for the others; escaped in the report", async () => {
    const replies = { ask_rating: ["5", "4", "-1"], ask_comment: ["=1+2", "@here", "+33 is great", "fine", "-"] };
    const { sim, f } = await surveyed(30, { flowDefinitions: [{ ...surveyFlow(), replies }] });
    const first = await results(f, sim);
    expect(first.code, first.stderr).toBe(0);
    expect(sim.stats.requests.context).toBe(30);
    const report = parseCsv((await runCli(["report", f.campaignPath])).stdout);
    expect(Object.keys(report[0]!).slice(-6)).toEqual([
      "execution_status",
      "outcome",
      "outcome_widget",
      "outcome_error_code",
      "ask_rating",
      "ask_comment",
    ]);
    const rating = answersAt(sim, "ask_rating");
    const comment = answersAt(sim, "ask_comment");
    expect(rating.size).toBeGreaterThan(5);
    expect(rating.size).toBeLessThan(30);
    for (const row of report) {
      expect(row.execution_status).toBe("ended");
      // docs/reference.md §6: =, @, or + / - followed by anything but digits, get a leading '.
      const escaped = (answer: string) => (/^[=@]|^[+-](?!\d+$)/.test(answer) ? `'${answer}` : answer);
      expect(row.ask_rating).toBe(escaped(rating.get(row.to!) ?? ""));
      expect(row.ask_comment).toBe(escaped(comment.get(row.to!) ?? ""));
    }
    expect(report.filter((r) => r.ask_comment?.startsWith("'")).length).toBeGreaterThan(2);
    expect(first.stdout).toMatch(
      new RegExp(`ask_rating: asked 30, answered ${rating.size} \\(${((rating.size / 30) * 100).toFixed(1)} %\\); most frequent: "`),
    );
    expect(first.stdout).toMatch(new RegExp(`ask_comment: asked ${rating.size}, answered ${comment.size} `));
  });

  it("a second results sends no Context request", async () => {
    const { sim, f } = await surveyed(12);
    expect((await results(f, sim)).code).toBe(0);
    const before = sim.stats.requests.context;
    const second = await results(f, sim, "--json");
    expect(second.code).toBe(0);
    expect(sim.stats.requests.context).toBe(before);
    expect(JSON.parse(second.stdout)).toMatchObject({ contextRequests: 0, collected: 0, alreadyFinal: 12 });
  });

  it("kill -9 during results, then results again: complete, and no Execution already recorded is read again", async () => {
    const { sim, f } = await surveyed(40, { latencyMs: 60 });
    const child = startCli(["results", f.campaignPath, "--studio-url", sim.url]);
    const done = waitForExit(child);
    const recordedLines = async () => (await readFile(f.ledgerPath, "utf8")).split('"t":"results"').length - 1;
    while ((await recordedLines()) < 5) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGKILL");
    await done;
    const recorded = new Set(
      (await readFile(f.ledgerPath, "utf8"))
        .split("\n")
        .filter(Boolean)
        .flatMap((l) => {
          try {
            const e = JSON.parse(l) as { t: string; sid: string };
            return e.t === "results" ? [e.sid] : [];
          } catch {
            return []; // a torn last line
          }
        }),
    );
    expect(recorded.size).toBeGreaterThan(0);
    expect(recorded.size).toBeLessThan(40);
    const readBefore = sim.stats.contextSids.length;
    const rerun = await results(f, sim, "--json");
    expect(rerun.code, rerun.stderr).toBe(0);
    const readAgain = sim.stats.contextSids.slice(readBefore);
    expect(readAgain.filter((sid) => recorded.has(sid))).toEqual([]);
    expect(new Set([...recorded, ...readAgain]).size).toBe(40);
    const report = parseCsv((await runCli(["report", f.campaignPath])).stdout);
    const rating = answersAt(sim, "ask_rating");
    for (const row of report) expect(row.ask_rating).toBe(rating.get(row.to!) ?? "");
  });

  it("429s from Twilio's concurrent-request limit are waited out: every Context read, exit 0", async () => {
    const { sim, f } = await surveyed(30, { latencyMs: 40, maxConcurrentRequests: 2 }, { rate: { concurrency: 8 } });
    const result = await results(f, sim, "--json");
    expect(result.code, result.stderr).toBe(0);
    expect(sim.stats.concurrencyLimited).toBeGreaterThan(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ collected: 30, failed: [] });
    expect(new Set(sim.stats.contextSids).size).toBe(30);
  });

  it("custom results paths: flow.data, nested values, non-strings as JSON, missing as empty", async () => {
    const { sim, f } = await surveyed(
      6,
      {},
      {
        results: {
          name: "flow.data.first_name",
          asked_text: "widgets.ask_rating.outbound.Body",
          rating_message: "widgets.ask_rating.inbound",
          nothing: "widgets.no_such_widget.inbound.Body",
        },
      },
    );
    expect((await results(f, sim)).code).toBe(0);
    const report = parseCsv((await runCli(["report", f.campaignPath])).stdout);
    expect(Object.keys(report[0]!).slice(-4)).toEqual(["name", "asked_text", "rating_message", "nothing"]);
    const rating = answersAt(sim, "ask_rating");
    report.forEach((row, i) => {
      expect(row.name).toBe(`Ann${i}`);
      expect(row.asked_text).toBe(`Hi Ann${i}, thanks for your visit on 2026-12-01 at our clinic. How would you rate it from 1 to 5?`);
      const answer = rating.get(row.to!);
      if (answer === undefined) expect(row.rating_message).toBe("");
      else expect(JSON.parse(row.rating_message!)).toMatchObject({ Body: answer, From: row.to });
      expect(row.nothing).toBe("");
    });
  });

  it("--include-active records provisional results, read again once the Execution has ended", async () => {
    const { sim, f } = await surveyed(5, { surveyMs: 60_000 });
    const early = await results(f, sim, "--include-active", "--json");
    expect(early.code).toBe(0);
    expect(JSON.parse(early.stdout)).toMatchObject({ collected: 5, status: { active: 5 } });
    expect((await results(f, sim, "--json")).stdout).toMatch(/"collected":0/); // active ones: not without the flag
    for (const e of sim.executions()) e.endedAt = Date.now();
    const late = await results(f, sim, "--json");
    expect(JSON.parse(late.stdout)).toMatchObject({ collected: 5, alreadyFinal: 0, status: { ended: 5 } });
    expect(sim.stats.requests.context).toBe(10);
  });
});
