import { StudioCampaignError } from "../errors.js";

/** A campaign or contacts file that cannot be used. Maps to exit 2: nothing was sent. */
export class CampaignInputError extends StudioCampaignError {
  override readonly name = "CampaignInputError";

  constructor(message: string, options?: { cause?: unknown }) {
    super("CAMPAIGN_INPUT", message, options);
  }
}
