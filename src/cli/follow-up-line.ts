import type { Campaign } from "../campaign/campaign.js";
import type { FollowUpTally } from "../engine/follow-up/follow-up-list.js";

/** One line: who qualifies, who waits and why. */
export function followUpLine(campaign: Campaign, tally: FollowUpTally): string {
  const rule = campaign.followUpOf!;
  const v = tally.byVerdict;
  const next = tally.nextQualifiesAt === undefined ? "" : ` (the next at ${new Date(tally.nextQualifiesAt).toISOString()})`;
  return (
    `Follow-up of ${tally.source} (${[...rule.outcomes].join(", ")}, after ${rule.after}): ${tally.qualifying} qualify now ` +
    `(${tally.added} new), ${v["waiting-after"]} waiting for after${next}, ${v["waiting-active"]} still active, ` +
    `${v["waiting-outcome"]} outcome not collected yet; not followed up: ${v["other-outcome"]} other outcome, ` +
    `${v["unknown-outcome"]} unknown, ${v["opted-out"]} opted out` +
    (v["appointment-changed"] > 0 ? `, ${v["appointment-changed"]} whose appointment was cancelled or moved since` : "")
  );
}
