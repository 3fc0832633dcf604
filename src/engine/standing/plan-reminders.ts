import { unitOf, type Contact } from "../../contacts/contact.js";
import type { OptedOut } from "../../opt-outs/opted-out.js";
import { inShard, type ShardSpec } from "../../contacts/shard.js";
import { loadSuppression } from "../../contacts/suppression.js";
import { unitKey } from "../../contacts/unit.js";
import type { AppointmentSeen } from "../../ledger/events.js";
import { appointmentId, type LedgerState } from "../../ledger/fold.js";
import { stoppingIntent } from "../../flow/reply-intent.js";
import type { AppointmentBook } from "../../ledger/appointment-book.js";
import type { AppointmentVersions } from "../../ledger/appointment-book.js";
import type { Campaign } from "../../campaign/campaign.js";
import { decideContact } from "../plan/decide.js";
import type { PlannedRow } from "../plan/planned-row.js";
import { reminderParameterKeys, withReminder } from "./reminder-parameter.js";
import { readExport, type ExportBatch } from "./export-rows.js";
import type { RowCache, RowCacheBuilder, RowCacheSession } from "./row-cache.js";
import type { PipelineRow } from "../../contacts/pipeline.js";
import { rereadDecision } from "./reread.js";
import { LaterCount } from "../plan/later-count.js";
import { OneReason } from "../../contacts/one-reason.js";
import { reminderTimes } from "../../schedule/reminder-times.js";
import { isCancelled, type Schedule } from "../../schedule/schedule.js";
import { exportShrank, shrinkMessage } from "../../schedule/shrink-guard.js";

export interface ReminderPlanOptions {
  retryFailed: boolean;
  shard?: ShardSpec | undefined;
  now: number;
  /**
   * A real run writes each appointment the ledger does not know as the file shows it, a batch of
   * events at a time (resolves once durable); the plan folds each into the state as it decides.
   * A dry run writes nothing (the events only folded).
   */
  write?: ((events: readonly AppointmentSeen[]) => Promise<void>) | undefined;
  /** The opt-out list, kept current by the run. */
  optedOut: OptedOut;
  /** `run --accept-cancel`: cancel what a shrunken export lost (docs/reference.md §17). */
  acceptCancel?: boolean | undefined;
  /** A tick's row caches (a real run's): unchanged rows are not parsed again, and the next cache is built. */
  rows?: RowCacheSession | undefined;
}

/**
 * What the tick's reading of the export found: the appointments in it (by their number in the
 * book; one the book learns of while the export is read is in it), and those it excludes
 * (`exclude`/`only`) with why.
 */
class SeenAppointments {
  readonly excluded = new Map<string, string>();
  readonly #known: number;
  readonly #marks: Uint8Array;

  constructor(book: AppointmentBook) {
    this.#known = book.size;
    this.#marks = new Uint8Array(book.size);
  }

  mark(appointment: number): void {
    if (appointment < this.#known) this.#marks[appointment] = 1;
  }

  has(appointment: number): boolean {
    return appointment >= this.#known || this.#marks[appointment] === 1;
  }
}

/** Appointment events written ahead of the plan at most (a first tick records one a row). */
const WRITES_AHEAD = 2048;

/**
 * Appointment events decided and not yet durable: those of the batch being planned, then handed
 * to the ledger together (one write for a batch's events, not a promise each), and the writes not
 * yet awaited — a first tick over a million rows must not hold a million unwritten events.
 */
class Recording {
  /** When the plan's events happened: its `now`, one string for all of them. */
  readonly at: string;
  readonly #write: ((events: readonly AppointmentSeen[]) => Promise<void>) | undefined;
  #batch: AppointmentSeen[] = [];
  #writes: Array<Promise<void>> = [];
  #unwritten = 0;

  constructor(now: number, write: ((events: readonly AppointmentSeen[]) => Promise<void>) | undefined) {
    this.at = new Date(now).toISOString();
    this.#write = write;
  }

  /** The event into the state (now: the rest of the plan reads it), and into the batch's write. Returns the appointment's number. */
  note(state: LedgerState, event: AppointmentSeen): number {
    if (this.#write) this.#batch.push(event);
    return state.appointments.fold(event);
  }

  /** The batch's events handed to the ledger; awaited once many are unwritten (a re-export's few are not waited for). */
  async endBatch(): Promise<void> {
    if (this.#batch.length === 0 || !this.#write) return;
    this.#unwritten += this.#batch.length;
    // A failed write stops the run through the ledger's own failure (the writer is failed): not here.
    this.#writes.push(this.#write(this.#batch).catch(() => undefined));
    this.#batch = [];
    if (this.#unwritten < WRITES_AHEAD) return;
    await Promise.all(this.#writes.splice(0));
    this.#unwritten = 0;
  }
}

/**
 * A standing campaign's plan (docs/reference.md §16): the file is a snapshot, read whole. Each row is an
 * appointment and each of its reminders a unit — key × name × appointment time — decided by its
 * ledger state and its phase now (not due yet, due, past its deadline). After the file: the
 * appointments the ledger knows that left it — their reminders without an Execution are
 * `cancelled` — and the reminders of earlier times of moved appointments; one of those in doubt
 * is settled first (an Execution found is adopted) and never sent again.
 */
export async function planReminders(
  campaign: Campaign & { schedule: Schedule },
  state: LedgerState,
  options: ReminderPlanOptions,
): Promise<{ batches: AsyncGenerator<PlannedRow[]>; parameterKeys: string[]; reread: () => number; unchangedRows: () => number }> {
  const suppressed = await loadSuppression(campaign.suppressPath, campaign.defaultRegion);
  const rows = options.rows;
  const reading = await readExport(campaign, {
    suppressed,
    shard: options.shard,
    knownAddresses: () => addressesOf(state),
    cache: rows?.usable,
    book: state.appointments,
    now: options.now,
  });
  if (rows) rows.keyed = reading.keyed;
  const seen = new SeenAppointments(state.appointments);
  // The appointments this plan records for the first time are asked for again by no one: kept packed.
  state.appointments.packNew();
  const display = await displayTimes(campaign);
  // A chunk of the snapshot at a time: each reminder is its own unit, decided by its own state,
  // so a chunk's rows are decided together (one await a chunk, not one a reminder).
  const oneReason = new OneReason();
  let reread = 0;
  const recording = new Recording(options.now, options.write);
  const rowOptions = { ...options, seen, oneReason, next: rows?.next, display, onReread: () => reread++, recording };
  const batches = (async function* (): AsyncGenerator<PlannedRow[]> {
    for await (const exported of reading.batches) {
      const planned = planBatch(campaign, state, exported, rowOptions);
      await recording.endBatch();
      yield planned;
    }
    // The last tick's cache is read: let it go before the next one is written.
    if (rows) rows.usable = undefined;
    // Every row invalid for one reason (a wrong column, format or delimiter): refused before anything
    // is cancelled or held for appointments that only seem to have left (exit 2).
    const refusal = oneReason.refusal(campaign.contactsPath);
    if (refusal) throw refusal;
    const left = [...unitsLeftBehind(campaign, state, seen, { ...options, recording })];
    await recording.endBatch();
    yield left;
  })();
  return {
    batches,
    reread: () => reread,
    unchangedRows: () => reading.cachedRows,
    parameterKeys: reminderParameterKeys(
      reading.parameterKeys,
      campaign.schedule.display.map((d) => d.parameter),
    ),
  };
}

/** A batch of the export's rows, planned: each cached or parsed row, and the unchanged rows' reminders counted together. */
function planBatch(
  campaign: Campaign & { schedule: Schedule },
  state: LedgerState,
  exported: ExportBatch,
  options: Omit<RowPlanning, "laters">,
): PlannedRow[] {
  const planned: PlannedRow[] = [];
  const laters = new LaterCount();
  const batchOptions = { ...options, laters };
  let next = 0;
  for (let i = 0; i < exported.size; i++) {
    const entry = exported.entries?.[i] ?? -1;
    if (entry >= 0) planCached(exported.cache!, entry, { row: exported.first + i, hash: exported.hash(i)! }, planned, batchOptions);
    else planParsed(campaign, state, { parsed: exported.parsed[next++]!, hash: exported.hash(i) }, planned, batchOptions);
  }
  if (laters.count > 0) planned.push({ kind: "laters", count: laters });
  return planned;
}

/** Where a plan's appointment events go (`Recording`). */
interface Recorded {
  recording: Recording;
}

interface RowPlanning extends ReminderPlanOptions, Recorded {
  seen: SeenAppointments;
  oneReason: OneReason;
  /** The next tick's cache, when this tick keeps one. */
  next: RowCacheBuilder | undefined;
  display: ((contact: Contact) => Record<string, string>) | undefined;
  onReread: () => void;
  laters: LaterCount;
}

/** A row of the export as the last tick left it (its bytes unchanged, nothing of it due) into `planned`. */
function planCached(cache: RowCache, entry: number, row: { row: number; hash: number }, planned: PlannedRow[], options: RowPlanning): void {
  const { seen, oneReason } = options;
  const kind = cache.kindOf(entry);
  if (kind !== "other-shard") oneReason.counted();
  if (kind === "later") {
    seen.mark(cache.appointmentOf(entry));
    const { numbers } = cache;
    // Each reminder's due time; the first moment any needs a run is the row's wake.
    const wake = cache.wakeOf(entry);
    for (let r = cache.timesAt(entry), end = r + cache.head.reminders; r < end; r++) options.laters.add(numbers[r]!, wake);
  } else if (kind === "excluded") {
    const { key, reason } = cache.excludedOf(entry);
    seen.excluded.set(key, reason);
    planned.push({
      kind: "skipped",
      verdict: { status: "excluded", row: row.row, to: "", from: "", reason, shardKey: key },
      alreadyRecorded: true,
    });
  }
  options.next?.keep(cache, entry, row.hash);
}

/** A row of the export, parsed and classified, into `planned`. */
function planParsed(
  campaign: Campaign & { schedule: Schedule },
  state: LedgerState,
  row: { parsed: PipelineRow; hash: number | undefined },
  planned: PlannedRow[],
  options: RowPlanning,
): void {
  const { seen, oneReason, next } = options;
  const { verdict, otherShard } = row.parsed;
  const cache = (entry: Parameters<RowCacheBuilder["add"]>[1]) => row.hash !== undefined && next?.add(row.hash, entry);
  if (otherShard) return void cache({ kind: "other-shard" });
  oneReason.add(verdict);
  // Rows change places with every export: a bad row is counted, not recorded by its number.
  if (verdict.status !== "sendable") {
    // An excluded row (`Status` is `Cancelled`): its appointment is not in the export, and never counts as lost.
    if (verdict.status === "excluded" && verdict.shardKey) {
      seen.excluded.set(verdict.shardKey, verdict.reason);
      cache({ kind: "excluded", key: verdict.shardKey, reason: verdict.reason });
    }
    planned.push({ kind: "skipped", verdict, alreadyRecorded: true });
    return;
  }
  const appointment = verdict.contact.appointment!;
  const appointmentAt = new Date(appointment.at).toISOString();
  const noted = noteAppointment(state, verdict.contact, appointmentAt, options);
  if (noted.reread) options.onReread();
  const { number } = noted;
  seen.mark(number);
  // A reply that cancels the appointment (docs/reference.md §19): each reminder decided, none counted as to come.
  // (A ledger with no reply, as on a first tick, has none for it: no id built to ask.)
  const stopped =
    state.replies.size > 0 &&
    stoppingIntent(state.replies.get(appointmentId({ key: appointment.key, appointmentAt })), campaign.replies) !== undefined;
  const times =
    noted.rereadFrom === undefined && !stopped ? laterTimes(campaign, state, verdict.contact, appointmentAt, options.now) : undefined;
  if (times) {
    for (let r = 0; r < times.length; r += 2)
      planned.push({ kind: "later", dueAt: times[r]!, deadline: times[r + 1]!, row: verdict.contact.row, zones: verdict.contact.zones });
    return void cache({ kind: "later", appointment: number, times });
  }
  const isOptedOut = options.optedOut.has(verdict.contact.to);
  const contact = options.display
    ? { ...verdict.contact, parameters: { ...verdict.contact.parameters, ...options.display(verdict.contact) } }
    : verdict.contact;
  for (const unit of reminderUnits(campaign, state, contact, appointmentAt, { ...options, isOptedOut, stopped })) planned.push(unit);
}

/**
 * When each reminder of the row's appointment is due and its deadline, when none is known to the
 * ledger and none is due yet (the caller asks only of an appointment not re-read): most of a snapshot's rows, every
 * tick — only counted (`later`), and kept in the next tick's cache. Undefined otherwise.
 */
function laterTimes(
  campaign: Campaign & { schedule: Schedule },
  state: LedgerState,
  contact: Contact,
  appointmentAt: string,
  now: number,
): Float64Array | undefined {
  const appointment = contact.appointment!;
  const { reminders } = campaign.schedule;
  const times = new Float64Array(2 * reminders.length);
  // A ledger that knows no reminder yet (a first tick) knows none of these: no key built to ask.
  const knowsUnits = state.units.size > 0;
  for (let r = 0; r < reminders.length; r++) {
    const reminder = reminders[r]!;
    const { dueAt, deadline } = reminderTimes(appointment.at, reminder, campaign.schedule, appointment.zone, contact.notAfter);
    if (!(now < dueAt && now < deadline)) return undefined;
    if (
      knowsUnits &&
      state.units.has(unitKey({ to: contact.to, from: contact.from, key: appointment.key, reminder: reminder.name, appointmentAt }))
    )
      return undefined;
    times[2 * r] = dueAt;
    times[2 * r + 1] = deadline;
  }
  return times;
}

/**
 * `schedule.display` (docs/reference.md §17): the appointment time as its contact reads it — in
 * the appointment's zone, in the row's `columns.locale` language (else the campaign's `locale`),
 * formatted by Luxon through Intl (weekday and month names in that language). Luxon loads only
 * for a campaign that displays times.
 */
async function displayTimes(
  campaign: Campaign & { schedule: Schedule },
): Promise<((contact: Contact) => Record<string, string>) | undefined> {
  if (campaign.schedule.display.length === 0) return undefined;
  const { DateTime } = await import("luxon");
  return (contact) => {
    const { at, zone } = contact.appointment!;
    const time = DateTime.fromMillis(at, { zone, locale: contact.locale ?? campaign.locale });
    return Object.fromEntries(campaign.schedule.display.map(({ parameter, format }) => [parameter, time.toFormat(format)]));
  };
}

/** The addresses of the appointments the ledger knows: normalized by an earlier tick, not parsed again. */
function addressesOf(state: LedgerState): Set<string> {
  const addresses = new Set<string>();
  for (const [, { latest }] of state.appointments) addresses.add(latest.to).add(latest.from);
  return addresses;
}

/**
 * The appointment as the ledger should know it: recorded when new or changed (time, zone,
 * contact). Says `reread` when its same cells are read as another time than the ledger's (a
 * campaign change), and the first reading of a re-read appointment (`rereadFrom`).
 */
function noteAppointment(
  state: LedgerState,
  contact: Contact,
  appointmentAt: string,
  options: ReminderPlanOptions & Recorded,
): { reread: boolean; rereadFrom: string | undefined; number: number } {
  const { key, zone, cells } = contact.appointment!;
  const book = state.appointments;
  const known = book.numberOf(key);
  const latest = known === undefined ? undefined : book.at(known).latest;
  const sameCells = latest?.cells === cells;
  const same =
    latest?.left === undefined &&
    latest?.appointmentAt === appointmentAt &&
    latest.zone === zone &&
    latest.to === contact.to &&
    latest.from === contact.from &&
    (latest.cells === undefined || sameCells);
  if (same) return { reread: false, rereadFrom: latest.rereadFrom, number: known! };
  // The same cells read as another time: a re-reading; the first reading is kept (docs/reference.md §17).
  const first = sameCells ? (latest.rereadFrom ?? latest.appointmentAt) : undefined;
  const rereadFrom = first !== undefined && first !== appointmentAt ? first : undefined;
  const event: AppointmentSeen = {
    t: "appointment",
    row: contact.row,
    key,
    appointmentAt,
    zone,
    to: contact.to,
    from: contact.from,
    cells,
    ...(rereadFrom ? { rereadFrom } : {}),
    at: options.recording.at,
  };
  const number = options.recording.note(state, event);
  return { reread: rereadFrom !== undefined && latest?.appointmentAt !== appointmentAt, rereadFrom, number };
}

/**
 * Each reminder of the row's appointment, decided. One the ledger knows nothing of and that is
 * not due yet is only counted (`later`): most of a snapshot's reminders, every tick.
 */
function* reminderUnits(
  campaign: Campaign & { schedule: Schedule },
  state: LedgerState,
  contact: Contact,
  appointmentAt: string,
  options: ReminderPlanOptions & { isOptedOut: boolean; stopped: boolean },
): Generator<PlannedRow> {
  const appointment = contact.appointment!;
  for (const reminder of campaign.schedule.reminders) {
    const { dueAt, deadline } = reminderTimes(appointment.at, reminder, campaign.schedule, appointment.zone, contact.notAfter);
    const key = unitKey({ to: contact.to, from: contact.from, key: appointment.key, reminder: reminder.name, appointmentAt });
    const known = state.units.get(key);
    // Cancelled by the contact's reply: not sent, unless an attempt may have created it (settled first).
    if (options.stopped && (known === undefined || (known.status === "pending" && !known.inDoubt))) {
      yield { kind: "cancelled" };
      continue;
    }
    const reread = known === undefined ? rereadOf(state, contact, reminder.name) : undefined;
    if (reread === "wait") {
      yield { kind: "later", dueAt: options.now, deadline, row: contact.row, zones: contact.zones };
      continue;
    }
    if (known === undefined && reread === undefined && options.now < dueAt && options.now < deadline) {
      yield { kind: "later", dueAt, deadline, row: contact.row, zones: contact.zones };
      continue;
    }
    const unit: Contact = {
      ...contact,
      parameters: withReminder(contact.parameters, reminder.name),
      notAfter: Number.isFinite(deadline) ? deadline : undefined,
      reminder: { key: appointment.key, name: reminder.name, appointmentAt, dueAt },
    };
    const decision =
      reread ??
      decideContact(known, {
        retryFailed: options.retryFailed,
        deadlinePassed: options.now >= deadline,
        optedOut: options.isOptedOut,
        notYetDue: options.now < dueAt,
      });
    yield { kind: "contact", contact: unit, key, decision };
  }
}

/** What the first reading of a re-read appointment decides for one of its reminders (`rereadDecision`); undefined when it was not re-read. */
function rereadOf(state: LedgerState, contact: Contact, name: string): ReturnType<typeof rereadDecision> {
  const first = state.appointments.get(contact.appointment!.key)?.latest.rereadFrom;
  if (first === undefined) return undefined;
  return rereadDecision(
    state.units.get(unitKey({ to: contact.to, from: contact.from, key: contact.appointment!.key, reminder: name, appointmentAt: first })),
  );
}

/**
 * The reminders of appointments that left the file (cancelled unless they have an Execution) and
 * of earlier times of moved ones: only one in doubt has anything left to do — to be settled. An
 * appointment that left is recorded as such (`left`: why), once. When the export lost more of the
 * appointments with reminders to come than `schedule.maxCancel` allows, none of the lost ones is
 * cancelled: their reminders are withheld (docs/reference.md §17) unless `acceptCancel`.
 */
function* unitsLeftBehind(
  campaign: Campaign & { schedule: Schedule },
  state: LedgerState,
  seen: SeenAppointments,
  options: ReminderPlanOptions & Recorded,
): Generator<PlannedRow> {
  const { lost, shrank, of } = lostAppointments(campaign, state, seen, options);
  const withhold = !options.acceptCancel && shrank;
  const message = withhold ? shrinkMessage(lost.size, of()) : "";
  const book = state.appointments;
  for (let number = 0, size = book.size; number < size; number++) {
    const gone = !seen.has(number);
    // One still in the export at its only time has nothing left behind (most of them: not unpacked).
    if (!gone && !book.hasEarlier(number)) continue;
    const key = book.keyOf(number);
    if (options.shard && !inShard(key, options.shard)) continue;
    const versions = book.at(number);
    const held = withhold && lost.has(key);
    if (gone && !held) noteLeft(state, versions, seen.excluded.get(key) ?? "not in the export", options);
    const times = gone ? [versions.latest.appointmentAt, ...versions.earlier] : versions.earlier;
    for (const appointmentAt of times) {
      for (const reminder of campaign.schedule.reminders) {
        const latestTime = appointmentAt === versions.latest.appointmentAt;
        const unit = retiredUnit(versions, appointmentAt, reminder.name, gone && latestTime);
        const key = unitKey(unitOf(unit));
        const known = state.units.get(key);
        if (known?.inDoubt) yield { kind: "contact", contact: unit, key, decision: { action: "settle" } };
        else if (isCancelled(known, { gone, latestTime })) yield held ? { kind: "withheld", message } : { kind: "cancelled" };
      }
    }
  }
}

/**
 * The appointments with reminders to come (not left before, a reminder of their latest time
 * neither final nor past its deadline) that the export lost — missing from it, not excluded by
 * it — and whether that is more than `schedule.maxCancel` allows of all of them (`of`: how many
 * there are, counted when asked).
 */
function lostAppointments(
  campaign: Campaign & { schedule: Schedule },
  state: LedgerState,
  seen: SeenAppointments,
  options: ReminderPlanOptions,
): { lost: Set<string>; shrank: boolean; of: () => number } {
  const book = state.appointments;
  const judged = (number: number) => {
    const key = book.keyOf(number);
    if ((options.shard && !inShard(key, options.shard)) || seen.excluded.has(key)) return false;
    const versions = book.at(number);
    return versions.latest.left === undefined && hasRemindersToCome(campaign, state, versions, options.now);
  };
  const lost = new Set<string>();
  for (let number = 0, size = book.size; number < size; number++) if (!seen.has(number) && judged(number)) lost.add(book.keyOf(number));
  // Those still in the export are counted only as far as the answer needs: most ticks lose none,
  // or a few of many (the count stops once they are few enough).
  const { maxCancel } = campaign.schedule;
  const enough = "count" in maxCancel ? 0 : Math.ceil((lost.size * 100) / Math.max(maxCancel.percent, 1e-9));
  const count = (upTo: number) => {
    let of = lost.size;
    for (let number = 0, size = book.size; number < size && of < upTo; number++) if (seen.has(number) && judged(number)) of++;
    return of;
  };
  const shrank = lost.size > 0 && exportShrank(lost.size, count(enough), maxCancel);
  return { lost, shrank, of: () => count(Infinity) };
}

function hasRemindersToCome(
  campaign: Campaign & { schedule: Schedule },
  state: LedgerState,
  versions: AppointmentVersions,
  now: number,
): boolean {
  const { latest } = versions;
  const at = Date.parse(latest.appointmentAt);
  return campaign.schedule.reminders.some((reminder) => {
    const { deadline } = reminderTimes(at, reminder, campaign.schedule, latest.zone, undefined);
    const known = state.units.get(
      unitKey({ to: latest.to, from: latest.from, key: latest.key, reminder: reminder.name, appointmentAt: latest.appointmentAt }),
    );
    return now < deadline && (known === undefined || known.status === "pending");
  });
}

/** The appointment left the export: recorded once, with why (seen again, `noteAppointment` records it without). */
function noteLeft(state: LedgerState, versions: AppointmentVersions, left: string, options: ReminderPlanOptions & Recorded): void {
  if (versions.latest.left === left) return;
  const event: AppointmentSeen = { t: "appointment", ...versions.latest, left, at: options.recording.at };
  options.recording.note(state, event);
}

/** A reminder of an appointment no longer in the file as it was: enough of it to settle, and to be counted. */
function retiredUnit(versions: AppointmentVersions, appointmentAt: string, name: string, cancelled: boolean): Contact {
  const { latest } = versions;
  return {
    row: latest.row,
    to: latest.to,
    from: latest.from,
    parameters: {},
    zones: undefined,
    notAfter: undefined,
    reminder: { key: latest.key, name, appointmentAt, dueAt: Date.parse(appointmentAt) },
    retired: cancelled ? "cancelled" : "moved",
  };
}
