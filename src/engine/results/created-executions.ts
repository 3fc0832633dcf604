import { foldExecutionEvent, type CreatedExecution } from "../../ledger/fold.js";
import type { LedgerStore } from "../../ledger/ledger-store.js";

export interface CampaignExecutions {
  executions: Map<string, CreatedExecution>;
  /** The flow's Send & Wait For Reply widgets, as the latest preflight recorded them. */
  questions: string[] | undefined;
}

/** The Executions this campaign created, from its ledger (the one fold's Executions view), with the flow facts `results` needs. One pass. */
export async function readCampaignExecutions(ledger: LedgerStore): Promise<CampaignExecutions> {
  const executions = new Map<string, CreatedExecution>();
  let questions: string[] | undefined;
  for await (const batch of ledger.batches())
    for (const event of batch) {
      if (event.t === "flow") questions = event.questions;
      else foldExecutionEvent(executions, event);
    }
  return { executions, questions };
}
