import { readLedger } from "../ledger/read-ledger.js";

export interface CreatedExecution {
  sid: string;
  /** When this campaign created (or adopted) it, ms. */
  at: number;
  /** Latest known state, from `status` or `end`. */
  status: "active" | "ended" | undefined;
}

/** The Executions this campaign created, from its ledger: never another campaign's. */
export async function createdExecutions(ledgerPath: string): Promise<Map<string, CreatedExecution>> {
  const executions = new Map<string, CreatedExecution>();
  for await (const event of readLedger(ledgerPath)) {
    if (event.t === "created" || event.t === "adopted") {
      executions.set(event.sid, { sid: event.sid, at: Date.parse(event.at), status: executions.get(event.sid)?.status });
    } else if (event.t === "exec") {
      const known = executions.get(event.sid);
      if (known) known.status = event.status;
    }
  }
  return executions;
}
