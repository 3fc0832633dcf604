import type { Argv } from "yargs";
import { loadCampaign } from "../campaign/load-campaign.js";
import { credentialsFromEnv } from "../studio/credentials.js";
import { executionsOptions, stoppedExit, withLedgerSessionOptions } from "./shared-options.js";

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
    // undici: only when needed
    const { openExecutionsSession } = await import("../engine/results/executions-session.js");
    const { refreshStatus } = await import("../engine/results/refresh-status.js");
    await using session = await openExecutionsSession(executionsOptions(campaign, credentials, argv));
    const counts = await refreshStatus(session);
    process.stdout.write(
      argv.json
        ? `${JSON.stringify(counts)}\n`
        : `Executions of ${campaign.name}: ${counts.active} active, ${counts.ended} ended, ${counts.unknown} unknown ` +
            `(${counts.requests} requests)\n`,
    );
    stoppedExit(session.stop, "status");
  },
};
