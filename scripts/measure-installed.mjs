#!/usr/bin/env node
// Compare an installed bin against the checkout: 3 000 creates, no rate limit, no latency.
// Usage: node scripts/measure-installed.mjs <bin> [<bin> …]   (after `npm run build`)
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSimulator } from "../dist/simulator/server.js";

const COUNT = 3000;
const bins = process.argv.slice(2);
for (const bin of bins) {
  const rates = [];
  for (let run = 0; run < 3; run++) {
    const sim = await startSimulator({ rate: 0 });
    const dir = mkdtempSync(path.join(tmpdir(), "measure-installed-"));
    const rows = ["to"];
    for (let i = 0; i < COUNT; i++) rows.push(`+1415${String(5_000_000 + i).padStart(7, "0")}`);
    writeFileSync(path.join(dir, "contacts.csv"), `${rows.join("\n")}\n`);
    writeFileSync(
      path.join(dir, "c.json"),
      JSON.stringify({ name: "m", flowSid: "FW0123456789abcdef0123456789abcdef", from: "+15017122661", contacts: "contacts.csv" }),
    );
    const env = { PATH: process.env.PATH, TWILIO_ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef", TWILIO_AUTH_TOKEN: "x" };
    const started = process.hrtime.bigint();
    // Asynchronous: the simulator answers from this process's event loop.
    const proc = spawn(
      bin,
      ["run", path.join(dir, "c.json"), "--studio-url", sim.url, "--rate", "100000", "--concurrency", "50", "--no-preflight", "--json"],
      { env },
    );
    let stderr = "";
    proc.stderr.on("data", (d) => (stderr += d));
    proc.stdout.resume();
    const child = { status: await new Promise((resolve) => proc.on("close", resolve)), stderr };
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await sim.close();
    if (child.status !== 0 || sim.stats.created !== COUNT)
      throw new Error(`${bin}: exit ${child.status}, ${sim.stats.created} created: ${child.stderr}`);
    rates.push(COUNT / seconds);
  }
  rates.sort((a, b) => a - b);
  console.log(`${bin}: ${COUNT} creates, median ${rates[1].toFixed(0)}/s (runs: ${rates.map((r) => r.toFixed(0)).join(", ")})`);
}
