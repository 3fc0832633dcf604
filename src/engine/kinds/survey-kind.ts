import type { Campaign } from "../../campaign/campaign.js";
import { SURVEY_CHECKPOINT, SURVEY_WHOLE_FILE_CHECKPOINT } from "../plan/checkpoint-policy.js";
import type { CsvEncoding } from "../../contacts/csv-format.js";
import type { CampaignKind } from "./campaign-kind.js";

/**
 * A survey (docs/reference.md §1–§6): one unit per contact row — its To and From —, the file read
 * past the checkpoint's final prefix, since it only grows; no schedule, no tick.
 */
export function surveyKind(campaign: Campaign, file: { encoding: CsvEncoding } = { encoding: "utf-8" }): CampaignKind {
  // A file in another encoding is read whole every run (its decoded offsets are not the file's).
  const checkpoint = file.encoding === "utf-8" ? SURVEY_CHECKPOINT : SURVEY_WHOLE_FILE_CHECKPOINT;
  return {
    unit: "contact",
    addedParameters: [],
    unitsPerRecord: 1,
    checkpoint,
    appointmentParameter: undefined,
    reminderColumns: false,
    paceBeforePlanning: true,
    parameterKeys: (fromFile) => [...fromFile],
    // The contacts pipeline and the report load when asked: a cron rerun with nothing to do parses no row.
    plan: async (state, options) => {
      const { planRows } = await import("../plan/plan-rows.js");
      return planRows(campaign, state, checkpoint.finalPrefix ? options : { ...options, resume: undefined, trackPrefix: false });
    },
    idleTick: async () => undefined,
    beginTick: async () => undefined,
    planView: () => undefined,
    report: async (ledgers, options) => (await import("../../report/build-report.js")).buildReport(ledgers, options),
  };
}
