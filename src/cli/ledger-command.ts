import type { Argv } from "yargs";
import { copyLedger } from "../ledger/copy-ledger.js";

interface CopyArgs {
  from: string;
  to: string;
  campaign?: string | undefined;
}

/** `studio-campaign ledger copy FROM TO` (docs/reference.md §15): the copy is `copyLedger`'s; this parses and tells. */
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
    const copied = await copyLedger(argv.from, argv.to, argv.campaign);
    process.stderr.write(`ledger copy: ${copied.events} event(s) of campaign ${copied.campaign} from ${copied.from} to ${copied.to}\n`);
  },
};
