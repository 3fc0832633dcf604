/** A campaign or contacts file that cannot be used. Maps to exit 2: nothing was sent. */
export class CampaignInputError extends Error {
  override readonly name = "CampaignInputError";
  readonly code = "CAMPAIGN_INPUT";
}
