import type { Campaign } from "../../campaign/campaign.js";
import type { ShardSpec } from "../../contacts/shard.js";
import type { Schedule } from "../../schedule/schedule.js";
import { REMINDER_PARAMETER, reminderParameterKeys } from "../standing/reminder-parameter.js";
import { STANDING_CHECKPOINT } from "../plan/checkpoint-policy.js";
import { emptyScheduleView, noteReminder } from "../standing/schedule-view.js";
import { idleTick, markTick, snapshotOf } from "../standing/tick-mark.js";
import type { CampaignKind, Tick } from "./campaign-kind.js";

/**
 * A standing campaign (docs/reference.md §16): its file is the current export of a booking
 * system, read whole on every tick; each row is an appointment and each of its reminders a unit
 * (key × name × appointment time), sent when due and never after its deadline. A tick on the
 * export, ledger and campaign the last one left, before anything can be due, reads nothing.
 */
export function standingKind(campaign: Campaign & { schedule: Schedule }): CampaignKind {
  const { schedule } = campaign;
  const display = schedule.display.map((d) => d.parameter);
  return {
    unit: "reminder",
    addedParameters: [REMINDER_PARAMETER, ...display],
    unitsPerRecord: schedule.reminders.length,
    checkpoint: STANDING_CHECKPOINT,
    appointmentParameter: schedule.keyColumn,
    reminderColumns: true,
    paceBeforePlanning: false,
    parameterKeys: (fromFile) => reminderParameterKeys(fromFile, display),
    // The contacts pipeline loads when asked: an unchanged tick parses no row.
    plan: async (state, options) => {
      const { planReminders } = await import("../standing/plan-reminders.js");
      return { ...(await planReminders(campaign, state, options)), prefix: undefined };
    },
    idleTick: (store, options) => idleTick(campaign, store, options),
    beginTick: (shard) => beginTick(campaign, shard),
    planView: () => {
      const view = emptyScheduleView();
      return { view, note: (planned, action, now, window) => noteReminder(view, planned, action, now, window) };
    },
    report: async (ledgers, options) => {
      const { standingReport } = await import("../../report/standing-report.js");
      return standingReport(campaign, ledgers, options);
    },
  };
}

/**
 * The export as it is before the tick reads it (the next tick compares); after the run, the mark:
 * until when nothing can need doing — the next wake — if the tick left nothing to do now (no
 * reminder due unsent, none in doubt, not stopped); else 0, never idle on it.
 */
async function beginTick(campaign: Campaign, shard: ShardSpec | undefined): Promise<Tick> {
  const snapshot = await snapshotOf(campaign.contactsPath).catch(() => undefined);
  return {
    async end(summary, run) {
      const standing = { ...summary, schedule: run.schedule };
      if (!snapshot || !run.store) return standing;
      const clean = summary.stopped === undefined && summary.counts.pending === 0;
      await markTick(campaign, run.store, { shard, snapshot, idleUntil: clean ? run.wakeAt : 0, summary: standing }).catch((err: unknown) =>
        run.note(`the tick's mark could not be written (${String(err)}): the next tick reads everything`),
      );
      return standing;
    },
  };
}
