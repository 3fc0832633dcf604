import type { SendWindow } from "../../campaign/campaign.js";
import type { ShardSpec } from "../../contacts/shard.js";
import type { ResultsColumn } from "../../flow/results-columns.js";
import type { AppointmentSeen } from "../../ledger/events.js";
import type { LedgerState } from "../../ledger/fold.js";
import type { LedgerStore } from "../../ledger/ledger-store.js";
import type { StatusCounts } from "../../ledger/row-status.js";
import type { OptedOut } from "../../opt-outs/opted-out.js";
import type { Report } from "../../report/build-report.js";
import type { ResumePoint } from "../plan/campaign-state.js";
import type { CheckpointPolicy } from "../plan/checkpoint-policy.js";
import type { FinalPrefixTracker } from "../plan/final-prefix.js";
import type { PlannedRow } from "../plan/planned-row.js";
import type { RowAction } from "../plan/row-action.js";
import type { ScheduleSummary } from "../standing/schedule-summary.js";
import type { ScheduleView } from "../standing/schedule-view.js";
import type { RowCacheSession } from "../standing/row-cache.js";
import type { TickSummary } from "../standing/tick-mark.js";

/** What planning is told: the run's `now`, its shard, the opt-out list it keeps current, where a checkpoint lets it start. */
export interface PlanOptions {
  retryFailed: boolean;
  /** `run --accept-cancel`: a standing campaign cancels what a shrunken export lost (docs/reference.md §17). */
  acceptCancel?: boolean | undefined;
  shard?: ShardSpec | undefined;
  /** The instant due times and deadlines are judged at. */
  now: number;
  /** Start past a checkpoint's final prefix (a survey; a standing campaign reads its snapshot whole). */
  resume?: ResumePoint | undefined;
  /** Follow how far every row is final (`run`: the next checkpoint starts there). */
  trackPrefix?: boolean;
  optedOut: OptedOut;
  /**
   * What a real run writes as it plans (a standing campaign's appointments, new or changed): the
   * event folded into the state given, and written (resolves once durable); a dry run gives none.
   */
  write?: ((events: readonly AppointmentSeen[]) => Promise<void>) | undefined;
  /** A real run's tick (a standing campaign's): its plan reads what the last tick left, and leaves the next one's. */
  tick?: Tick | undefined;
}

/** The plan: every row (or reminder) decided, in file order, a batch at a time, and the Parameters keys its contacts are sent. */
export interface Plan {
  batches: AsyncGenerator<PlannedRow[]>;
  parameterKeys: string[];
  prefix: FinalPrefixTracker | undefined;
  /**
   * Once the batches are read: appointments this plan read as another time from the same cells,
   * after a campaign change (a standing campaign, docs/reference.md §17); none for a survey.
   */
  reread?: () => number;
  /** Once the batches are read: rows taken as the last tick left them, not parsed (a standing campaign's re-export). */
  unchangedRows?: () => number;
}

/** A run's summary as a tick reads and extends it. */
export interface TickRun {
  counts: StatusCounts;
  stopped: unknown;
}

/** What a run of a standing campaign keeps from before it reads its export until it ends. */
export interface Tick {
  /** The rows of the export the last tick read, and the next tick's as this one plans (docs/reference.md §16). */
  readonly rows?: RowCacheSession | undefined;
  /**
   * After the run: its schedule added to the summary, and the mark the next tick may rely on
   * written to `store` (none: a ledger that failed mid-run leaves no mark; a failure to write it is
   * told to `note`): either way the next tick then reads everything, and loses no reminder.
   */
  end<S extends TickRun>(
    summary: S,
    run: { schedule: ScheduleSummary; wakeAt: number; store: LedgerStore | undefined; note: (message: string) => void },
  ): Promise<S & { schedule: ScheduleSummary }>;
}

/** The schedule view of `validate` and `--dry-run`, counted one planned row at a time. */
export interface PlanView {
  note(planned: PlannedRow, action: RowAction, now: number, window: SendWindow | undefined): void;
  readonly view: ScheduleView;
}

/**
 * A kind of campaign, chosen once from its file (`kindOf`): a survey — one unit per contact row,
 * the file only grows — or a standing campaign (docs/reference.md §16) — one unit per reminder of
 * each appointment, the file a snapshot of a booking system's book. The engine and the commands
 * ask it; nothing else branches on which kind a campaign is.
 */
export interface CampaignKind {
  /** What one unit is called in the operator's lines. */
  readonly unit: "contact" | "reminder";
  /** Parameters the tool itself adds to each unit (a standing campaign's `reminder`): the preflight does not warn about them. */
  readonly addedParameters: readonly string[];
  /** Units one record of the file makes, at most (for estimates). */
  readonly unitsPerRecord: number;
  readonly checkpoint: CheckpointPolicy;
  /**
   * The Parameter that names a unit's appointment in an Execution's `flow.data`: a doubt over a
   * reminder is settled only by an Execution made for that reminder of that appointment.
   */
  readonly appointmentParameter: string | undefined;
  /** Whether the report and a follow-up's list name each unit's reminder (key, name, appointment time). */
  readonly reminderColumns: boolean;
  /** Whether the run can tell the pace per sender before it plans (a standing campaign knows what is due only once planned). */
  readonly paceBeforePlanning: boolean;
  /** The Parameters keys a unit is sent: the file's and the static ones, then what the tool adds. */
  parameterKeys(fromFile: readonly string[]): string[];
  plan(state: LedgerState, options: PlanOptions): Promise<Plan>;
  /** A tick that need read nothing (its mark holds): its summary; undefined when the run must read. */
  idleTick(store: LedgerStore, options: { shard: ShardSpec | undefined; now: number }): Promise<TickSummary | undefined>;
  /** Called before the run reads its file: a standing campaign's tick (the export as it is now); a survey has none. */
  beginTick(shard: ShardSpec | undefined, store: LedgerStore): Promise<Tick | undefined>;
  /** The schedule view for `validate` and `--dry-run`, when the kind has one. */
  planView(): PlanView | undefined;
  /** The report's rows (docs/reference.md §6, §16). */
  report(ledgers: LedgerStore[], options: { results: ResultsColumn[] | undefined }): Promise<Report>;
}
