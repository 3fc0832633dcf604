import type { Campaign } from "../../campaign/campaign.js";
import type { CampaignKind } from "./campaign-kind.js";
import { surveyKind } from "./survey-kind.js";
import { effectiveEncoding } from "../../contacts/csv-format.js";

/**
 * The campaign's kind, chosen once — the one place that reads `campaign.schedule` to decide (a
 * test holds it). A standing campaign's planner, schedule and tick load only for one.
 */
export async function kindOf(campaign: Campaign): Promise<CampaignKind> {
  const { schedule } = campaign;
  if (!schedule) return surveyKind(campaign, { encoding: await effectiveEncoding(campaign.contactsPath, campaign.csv.encoding) });
  const { standingKind } = await import("./standing-kind.js");
  return standingKind({ ...campaign, schedule });
}
