import { readFile } from "node:fs/promises";
import { systemClock } from "../clock.js";
import type { Campaign } from "../campaign/campaign.js";
import { readPolicy } from "../campaign/runtime-defaults.js";
import { CampaignInputError, StudioCampaignError } from "../errors.js";
import { parseDefinition, type FlowDefinition } from "../flow/definition.js";
import type { FlowSnapshot } from "../flow/preflight-verdict.js";
import { readFlow } from "../engine/run/preflight.js";
import type { Credentials } from "../studio/credentials.js";
import { Reads } from "../studio/read-retry.js";
import { ServiceHealth } from "../studio/service-health.js";

/** Where `preview` reads the flow: a file (offline), or Studio (the published revision, as the preflight reads it). */
export type PreviewFlowSource = { file: string } | { credentials: Credentials; studioUrl: string };

/**
 * The flow contacts would run (docs/reference.md §18): `--flow-file` — a definition (`{states…}`)
 * or a Flow resource (`{definition…}`), read offline — or the flow's latest published revision
 * from Studio (§10: two GETs through the read retry; 401/403 propagate, exit 77).
 */
export async function readPreviewFlow(campaign: Campaign, source: PreviewFlowSource): Promise<FlowDefinition> {
  if ("file" in source) {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(source.file, "utf8"));
    } catch (err) {
      throw new CampaignInputError(`${source.file}: cannot read the flow file (${(err as Error).message})`, { cause: err });
    }
    const definition = parseDefinition((raw as { definition?: unknown }).definition ?? raw);
    if (!definition)
      throw new CampaignInputError(`${source.file}: not a Studio flow definition (no "states" list, nor a Flow resource's "definition")`);
    return definition;
  }
  const { StudioClient } = await import("../studio/client.js"); // undici: only when online
  const client = new StudioClient({ baseUrl: source.studioUrl, credentials: source.credentials, connections: 2 });
  try {
    const reads = new Reads({ policy: readPolicy(campaign), clock: systemClock, health: new ServiceHealth() });
    return publishedDefinition(campaign.flowSid, await readFlow(client, campaign.flowSid, reads));
  } finally {
    await client.close();
  }
}

/** The definition contacts run: the flow's published revision's (none: FLOW_REFUSED, exit 2). */
export function publishedDefinition(flowSid: string, flow: FlowSnapshot): FlowDefinition {
  const definition = flow.published ? parseDefinition(flow.published.definition) : undefined;
  if (!definition)
    throw new StudioCampaignError("FLOW_REFUSED", `flow ${flowSid} has no published revision to preview: publish it in Studio first`);
  return definition;
}
