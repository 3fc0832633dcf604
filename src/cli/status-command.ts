import type { Argv } from "yargs";
import { loadCampaign } from "../campaign/load-campaign.js";
import { credentialsFromEnv } from "../studio/credentials.js";
import { refreshStatus } from "../campaign/results/refresh-status.js";
import { studioUrlFromArgs, withLedgerSessionOptions } from "./shared-options.js";

interface StatusArgs {
  campaign: string;
  ledger?: string | undefined;
  "studio-url"?: string | undefined;
  json: boolean;
}

export const statusCommand = {
  command: "status <campaign>",
  describe: "Refresh active/ended of every Execution the campaign created (List, then Fetch)",
  builder: (y: Argv) => withLedgerSessionOptions(y),
  handler: async (argv: StatusArgs) => {
    const campaign = await loadCampaign(argv.campaign, { ledger: argv.ledger });
    const credentials = credentialsFromEnv();
    const { withLedgerSession } = await import("./ledger-session.js"); // undici: only when needed
    const counts = await withLedgerSession(
      campaign,
      credentials,
      { studio: studioUrlFromArgs(argv["studio-url"]) },
      ({ client, writer, executions }) => refreshStatus(campaign, client, writer, executions),
    );
    process.stdout.write(
      argv.json
        ? `${JSON.stringify(counts)}\n`
        : `Executions of ${campaign.name}: ${counts.active} active, ${counts.ended} ended, ${counts.unknown} unknown ` +
            `(${counts.requests} requests)\n`,
    );
  },
};
