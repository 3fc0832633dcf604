import type { Campaign } from "../../campaign/campaign.js";
import type { ShardSpec } from "../../contacts/shard.js";
import type { Schedule } from "../../schedule/schedule.js";
import { REMINDER_PARAMETER, reminderParameterKeys } from "../standing/reminder-parameter.js";
import { STANDING_CHECKPOINT } from "../plan/checkpoint-policy.js";
import { emptyScheduleView, noteReminder } from "../standing/schedule-view.js";
import { idleTick, markTick, sameExport, snapshotOf, tickFingerprint } from "../standing/tick-mark.js";
import { loadRowCache, RowCacheBuilder, saveRowCache, type RowCacheSession } from "../standing/row-cache.js";
import type { LedgerStore } from "../../ledger/ledger-store.js";
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
      return { ...(await planReminders(campaign, state, { ...options, rows: options.tick?.rows })), prefix: undefined };
    },
    idleTick: (store, options) => idleTick(campaign, store, options),
    beginTick: (shard, store) => beginTick(campaign, shard, store),
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
 * The export as it is before the tick reads it (the next tick compares), and the last tick's row
 * cache; after the run, the mark — until when nothing can need doing, the next wake, if the tick
 * left nothing to do now (no reminder due unsent, none in doubt, not stopped); else 0, never idle
 * on it — and the next row cache, when the export read was the one the tick began with.
 */
async function beginTick(campaign: Campaign, shard: ShardSpec | undefined, store: LedgerStore): Promise<Tick> {
  const snapshot = await snapshotOf(campaign.contactsPath).catch(() => undefined);
  const fingerprint = await tickFingerprint(campaign, shard);
  const usable = await loadRowCache(store, fingerprint).catch(() => undefined);
  const rows: RowCacheSession = { usable, next: new RowCacheBuilder(campaign.schedule?.reminders.length ?? 0, usable?.cache.size) };
  return {
    rows,
    async end(summary, run) {
      const standing = { ...summary, schedule: run.schedule };
      if (!snapshot || !run.store) return standing;
      const clean = summary.stopped === undefined && summary.counts.pending === 0;
      const note = (what: string) => (err: unknown) =>
        run.note(`${what} could not be written (${String(err)}): the next tick reads everything`);
      await markTick(campaign, run.store, { shard, snapshot, idleUntil: clean ? run.wakeAt : 0, summary: standing }).catch(
        note("the tick's mark"),
      );
      // The rows were read from the export the tick began with, and it is still that one.
      const keyed = rows.keyed?.();
      if (keyed && keyed.sha256 === snapshot.sha256 && (await sameExport(campaign.contactsPath, snapshot)))
        await saveRowCache(run.store, rows.next, { fingerprint, header: keyed.header }).catch(note("the rows' cache"));
      return standing;
    },
  };
}
