import { OptedOut } from "../opt-outs/opted-out.js";
import { openOptOutStore } from "../opt-outs/open-opt-out-store.js";
import type { OptOutStore } from "../opt-outs/opt-out-store.js";
import type { Campaign } from "./campaign.js";

type OptOutCampaign = Pick<Campaign, "optOutsLocation" | "defaultRegion">;

/** The campaign's opt-out list (docs/reference.md §12): its file, or its table in PostgreSQL. Close it when done. */
export function campaignOptOutStore(campaign: OptOutCampaign): Promise<OptOutStore> {
  return openOptOutStore(campaign.optOutsLocation, { defaultRegion: campaign.defaultRegion });
}

/** The numbers opted out now, from the campaign's list; `optedOut.store` is open: close it when done. */
export async function loadCampaignOptOuts(campaign: OptOutCampaign, now: number): Promise<OptedOut> {
  const store = await campaignOptOutStore(campaign);
  try {
    return await OptedOut.load(store, now);
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** What a checkpoint's fingerprint takes of the list: it changes with every entry. */
export async function optOutsIdentity(campaign: OptOutCampaign): Promise<string> {
  const store = await campaignOptOutStore(campaign);
  try {
    return await store.identity();
  } finally {
    await store.close();
  }
}
