import { fileURLToPath } from "node:url";
import { loadFlowFiles, type SimulatedFlow } from "../../src/simulator/flows.js";
import { FLOW_SID } from "./env.js";

/** The demo's survey flow (two questions; its replies include a formula-looking one), served under `sid`. */
export function surveyFlow(sid: string = FLOW_SID): SimulatedFlow {
  return { ...loadFlowFiles([fileURLToPath(new URL("../../campaigns/demo-survey-flow.json", import.meta.url))])[0]!, sid };
}

/** A survey's contacts: each number with the Parameters the survey flow uses. */
export function surveyCsv(numbers: readonly string[]): string {
  return `to,first_name,appointment_at\n${numbers.map((p, i) => `${p},Ann${i},2026-12-01`).join("\n")}\n`;
}

/** The campaign's columns for `surveyCsv`. */
export const SURVEY_COLUMNS = { parameters: ["first_name", "appointment_at"] };
