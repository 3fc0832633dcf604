import type { ResultsRecorded } from "../../ledger/events.js";
import type { LedgerStore } from "../../ledger/ledger-store.js";

export interface CreatedExecution {
  sid: string;
  /** The contact (the ledger's `to` and `from`) and its CSV row: for the opt-out list and follow-ups. */
  to: string;
  from?: string;
  row?: number;
  /** When this campaign created (or adopted) it, ms. */
  at: number;
  /** Latest known state, from `status`, `end` or `results`. */
  status: "active" | "ended" | undefined;
  /** What `results` recorded of its Context (values by path, merged), if anything. */
  results?: Pick<ResultsRecorded, "values" | "final" | "gone" | "outcome"> | undefined;
}

export interface CampaignExecutions {
  executions: Map<string, CreatedExecution>;
  /** The flow's Send & Wait For Reply widgets, as the latest preflight recorded them. */
  questions: string[] | undefined;
}

/** The Executions this campaign created, from its ledger: never another campaign's. */
export async function createdExecutions(ledger: LedgerStore): Promise<Map<string, CreatedExecution>> {
  return (await readCampaignExecutions(ledger)).executions;
}

/** The same, with the flow facts `results` needs. One pass over the ledger. */
export async function readCampaignExecutions(ledger: LedgerStore): Promise<CampaignExecutions> {
  const executions = new Map<string, CreatedExecution>();
  let questions: string[] | undefined;
  for await (const batch of ledger.batches())
    for (const event of batch) {
      if (event.t === "created" || event.t === "adopted") {
        const known = executions.get(event.sid);
        executions.set(event.sid, {
          sid: event.sid,
          to: event.to,
          from: event.from,
          row: event.row,
          at: Date.parse(event.at),
          status: known?.status,
          results: known?.results,
        });
      } else if (event.t === "exec") {
        const known = executions.get(event.sid);
        if (known) known.status = event.status;
      } else if (event.t === "results") {
        const known = executions.get(event.sid);
        if (known) known.results = mergeResults(known.results, event);
      } else if (event.t === "flow") {
        questions = event.questions;
      }
    }
  return { executions, questions };
}

/** A later read of the same Execution adds to (and replaces) what an earlier one recorded. */
export function mergeResults(
  known: CreatedExecution["results"],
  event: Pick<ResultsRecorded, "values" | "final" | "gone" | "outcome">,
): NonNullable<CreatedExecution["results"]> {
  const outcome = event.outcome ?? known?.outcome;
  return {
    values: { ...known?.values, ...event.values },
    final: event.final || (known?.final ?? false),
    ...(event.gone || known?.gone ? { gone: true as const } : {}),
    ...(outcome ? { outcome } : {}),
  };
}
