import type { Campaign } from "../../campaign/campaign.js";
import { SURVEY_CHECKPOINT } from "../plan/checkpoint-policy.js";
import type { CampaignKind } from "./campaign-kind.js";

/**
 * A survey (docs/reference.md §1–§6): one unit per contact row — its To and From —, the file read
 * past the checkpoint's final prefix, since it only grows; no schedule, no tick.
 */
export function surveyKind(campaign: Campaign): CampaignKind {
  return {
    unit: "contact",
    addedParameters: [],
    unitsPerRecord: 1,
    checkpoint: SURVEY_CHECKPOINT,
    appointmentParameter: undefined,
    reminderColumns: false,
    paceBeforePlanning: true,
    parameterKeys: (fromFile) => [...fromFile],
    // The contacts pipeline and the report load when asked: a cron rerun with nothing to do parses no row.
    plan: async (state, options) => (await import("../plan/plan-rows.js")).planRows(campaign, state, options),
    idleTick: async () => undefined,
    beginTick: async () => undefined,
    planView: () => undefined,
    report: async (ledgers, options) => (await import("../../report/build-report.js")).buildReport(ledgers, options),
  };
}
