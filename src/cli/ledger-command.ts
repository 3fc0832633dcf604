import type { Argv } from "yargs";
import type { LedgerEvent } from "../ledger/events.js";
import { openLedgerStore } from "../ledger/open-store.js";
import { isPostgresUrl } from "../ledger/postgres-ledger.js";
import { ExitCode, ExitError } from "./exit-codes.js";

interface CopyArgs {
  from: string;
  to: string;
  campaign?: string | undefined;
}

/** Events appended per group commit while copying. */
const COPY_BATCH = 2_000;

/**
 * `studio-campaign ledger copy FROM TO` (SPEC §15): a ledger file into PostgreSQL, or back, event
 * for event and in order, so that a campaign resumes from the copy with nothing sent twice. The
 * target is locked while it is written and must not hold that campaign yet; its checkpoint is
 * made by the next run.
 */
export const ledgerCommand = {
  command: "ledger <action> <from> <to>",
  describe: "ledger copy FROM TO: copy a campaign's ledger between a file and PostgreSQL (either way)",
  builder: (y: Argv) =>
    y
      .positional("action", { type: "string", choices: ["copy"], describe: "copy" })
      .positional("from", { type: "string", demandOption: true, describe: "a ledger file, or postgres://USER@HOST:PORT/DB" })
      .positional("to", { type: "string", demandOption: true, describe: "a ledger file, or postgres://USER@HOST:PORT/DB" })
      .option("campaign", { type: "string", describe: "the campaign's name (needed when FROM is PostgreSQL; a file names it)" }),
  handler: async (argv: CopyArgs) => {
    for (const location of [argv.from, argv.to]) {
      if (isPostgresUrl(location) && new URL(location).password !== "")
        throw new ExitError(ExitCode.usage, "the PostgreSQL URL must not carry a password: give it in PGPASSWORD or ~/.pgpass");
    }
    const name = argv.campaign ?? (await campaignNameOf(argv.from));
    const source = openLedgerStore(argv.from, name);
    const target = openLedgerStore(argv.to, name);
    if (!(await source.exists())) throw new ExitError(ExitCode.usage, `${source.label}: no such ledger`);
    const lock = await target.lock();
    try {
      if (await target.exists())
        throw new ExitError(ExitCode.usage, `${target.label} already holds this campaign's ledger: nothing copied`);
      const writer = await target.openWriter(undefined);
      let copied = 0;
      try {
        for await (const batch of source.batches()) {
          for (let i = 0; i < batch.length; i += COPY_BATCH) {
            await Promise.all(batch.slice(i, i + COPY_BATCH).map((event) => writer.append(event)));
            copied += Math.min(COPY_BATCH, batch.length - i);
          }
        }
      } finally {
        await writer.close();
      }
      process.stderr.write(`ledger copy: ${copied} event(s) of campaign ${name} from ${source.label} to ${target.label}\n`);
    } finally {
      await lock.release();
    }
  },
};

/** A file ledger names its campaign in its first line. */
async function campaignNameOf(location: string): Promise<string> {
  if (isPostgresUrl(location))
    throw new ExitError(ExitCode.usage, "--campaign NAME is needed to copy from PostgreSQL (it holds many campaigns)");
  for await (const batch of openLedgerStore(location, "").batches()) {
    const header = batch.find((e): e is Extract<LedgerEvent, { t: "campaign" }> => e.t === "campaign");
    if (header) return header.name;
    break;
  }
  throw new ExitError(ExitCode.usage, `${location}: not a ledger (no campaign header on its first line)`);
}
