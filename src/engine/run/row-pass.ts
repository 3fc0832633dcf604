import { unitLine, type Contact } from "../../contacts/contact.js";
import { ContactSender, type SendOutcome } from "./contact-sender.js";
import { DoubtSettler } from "./doubt-settler.js";
import type { FinalPrefixTracker, Settle } from "../plan/final-prefix.js";
import type { Admission } from "./admission.js";
import type { PlannedRow } from "../plan/planned-row.js";
import { finalStatusOf, type RowAction } from "../plan/row-action.js";
import type { RunContext } from "./run-context.js";
import type { RunTally } from "./run-tally.js";
import { isFinalContactStatus } from "../../ledger/row-status.js";

/** A reminder due now (docs/reference.md §16): one the run sends, settles first, or holds. */
function isDue(action: RowAction): boolean {
  return (
    (action.kind === "send" || action.kind === "settle") && action.contact.reminder !== undefined && action.contact.retired === undefined
  );
}

/** A reminder of the current export (not one retired by a move or a cancellation). */
function isDueReminder(planned: PlannedRow): boolean {
  return planned.kind === "contact" && planned.contact.reminder !== undefined && planned.contact.retired === undefined;
}

/** Contacts read ahead of the limiter at most, beyond those in flight. */
const READ_AHEAD = 64;

export interface RowPassOptions {
  ctx: RunContext;
  tally: RunTally;
  /** The window, `--limit` and the daily cap: the same decisions a dry run asks. */
  admission: Admission;
  /** Follows how far every row is final, for the checkpoint. */
  finalPrefix: FinalPrefixTracker | undefined;
}

/**
 * A run's work on its rows: each planned row's fate is `decideRow`'s (pure), performed here;
 * each sent contact's outcome is a value from the sender, counted here in the one tally.
 */
export class RowPass {
  readonly #ctx: RunContext;
  readonly #tally: RunTally;
  readonly #admission: Admission;
  readonly #finalPrefix: FinalPrefixTracker | undefined;
  readonly #sender: ContactSender;
  readonly #settler: DoubtSettler;
  readonly #inFlight = new Set<Promise<void>>();
  #firstSendAt: number | undefined;
  // The reader waits for a free place; one resolver, not a Promise.race over every job.
  #wakeReader: (() => void) | undefined;

  constructor(options: RowPassOptions) {
    this.#ctx = options.ctx;
    this.#tally = options.tally;
    this.#admission = options.admission;
    this.#finalPrefix = options.finalPrefix;
    this.#sender = new ContactSender(options.ctx);
    this.#settler = new DoubtSettler(options.ctx);
  }

  /** Every row once, in file order; returns when every create dispatched has its outcome. */
  async run(batches: AsyncIterable<PlannedRow[]>): Promise<void> {
    const ctx = this.#ctx;
    for await (const batch of batches) {
      for (const planned of batch) {
        const now = ctx.clock.now();
        const action = this.#admission.decide(planned, now, ctx.stop.stopped);
        // How far every row is final: the checkpoint written after the run starts there. A sent
        // row's verdict is its create's outcome, when it lands.
        const final = finalStatusOf(action);
        let settle: Settle | undefined;
        if (final !== undefined) this.#finalPrefix?.final(final);
        else if (action.kind === "send") settle = this.#finalPrefix?.defer();
        else this.#finalPrefix?.open();
        // A due reminder held (the window, --limit, a stop) is due all the same (docs/reference.md §17).
        if (action.kind === "hold" && isDueReminder(planned)) this.#tally.schedule.due++;
        // Only a send waits (for room in flight, the daily cap): the rest is counted at once.
        const sending = this.#perform(action, now, settle);
        if (sending) await sending;
      }
    }
    await Promise.all(this.#inFlight);
  }

  /** Settle what is in doubt, send again what was not created, until nothing is in doubt. */
  async settle(): Promise<void> {
    while (this.#settler.size > 0 && !this.#ctx.stop.stopped) {
      const cleared = await this.#settler.settle();
      for (const contact of cleared.adopted) this.#counted(contact, "created");
      for (const contact of cleared.resend) {
        // A reminder whose appointment left the file (cancelled) or moved (its new time is a unit of
        // its own) is never sent again once its doubt is cleared.
        if (contact.retired === "cancelled") this.#tally.carried("cancelled");
        else if (contact.retired) continue;
        else if (await this.#withinCap()) this.#dispatch(contact);
        else this.#counted(contact, "pending");
      }
      for (const contact of cleared.exhausted) this.#counted(contact, "failed");
      await Promise.all(this.#inFlight);
    }
    this.#tally.carried("pending", this.#settler.size);
  }

  /** When the first create was dispatched: the achieved rate is measured from there. */
  get firstSendAt(): number | undefined {
    return this.#firstSendAt;
  }

  /** Wait for whatever is still in flight (after a failure or a stop). */
  async drain(): Promise<void> {
    await Promise.allSettled(this.#inFlight);
  }

  #perform(action: RowAction, now: number, settle?: Settle): Promise<void> | undefined {
    const ctx = this.#ctx;
    if (isDue(action)) {
      this.#tally.schedule.due++;
      ctx.emit({ type: "due" });
    }
    switch (action.kind) {
      case "count":
        this.#tally.carried(action.status);
        return;
      case "later":
        this.#tally.later(action.dueAt, action.wakeAt);
        return;
      case "laters":
        this.#tally.laters(action.count);
        return;
      case "cancelled":
        this.#tally.carried("cancelled");
        return;
      case "record-skip": {
        const { verdict } = action;
        void ctx.record({
          t: "row",
          row: verdict.row,
          status: verdict.status,
          to: verdict.to,
          from: verdict.from,
          reason: verdict.reason,
          at: ctx.nowIso(),
        });
        this.#tally.recorded(verdict.status);
        ctx.emit({ type: "row", row: verdict.row, status: verdict.status, to: verdict.to, detail: verdict.reason });
        return;
      }
      case "expire":
        this.#counted(action.contact, this.#sender.expire(action.contact));
        return;
      case "opt-out": {
        const { contact } = action;
        void ctx.record({ t: "opted_out", ...unitLine(contact), at: ctx.nowIso() });
        this.#counted(contact, "opted_out");
        return;
      }
      case "settle":
        this.#settler.add({
          contact: action.contact,
          readyAt: (ctx.state.units.get(action.key)?.lastAttemptAt ?? 0) + ctx.requestTimeoutMs,
        });
        return;
      case "withhold":
      case "hold":
        // Counted, not sent: the pass goes on so that no open contact waits behind held ones.
        this.#tally.carried("pending");
        return;
      case "send":
        return this.#send(action.contact, now, settle);
      default:
        throw new Error(`no such row action: ${(action satisfies never as RowAction).kind}`);
    }
  }

  /** A create, once there is room in flight and under the daily cap; else the contact stays pending. */
  async #send(contact: Contact, now: number, settle: Settle | undefined): Promise<void> {
    while (this.#inFlight.size >= this.#ctx.campaign.rate.concurrency + READ_AHEAD)
      await new Promise<void>((resolve) => (this.#wakeReader = resolve));
    if (await this.#withinCap()) return this.#dispatch(contact, settle);
    settle?.("open");
    this.#admission.heldByCap(now);
    this.#tally.carried("pending");
  }

  /**
   * Room under the daily cap for one more contact's messages (docs/reference.md §13). At the cap the run
   * dispatches nothing more — the creates that took their room still go — this contact and the
   * rest stay pending, and the run's stop names the cap and when the next day starts. A count
   * that cannot be read (Redis down) stops the run as an outage.
   */
  async #withinCap(): Promise<boolean> {
    try {
      return await this.#admission.withinCap(this.#ctx.clock.now());
    } catch (err) {
      this.#ctx.stop.request("outage", `the daily cap's shared count could not be read: ${String(err)}`);
      return false;
    }
  }

  #dispatch(contact: Contact, settle?: Settle): void {
    const ctx = this.#ctx;
    this.#firstSendAt ??= ctx.clock.now();
    const job = this.#sender.send(contact).then(
      (outcome) => {
        this.#landed(contact, outcome);
        settle?.(isFinalContactStatus(outcome.result) ? outcome.result : "open");
      },
      (err: unknown) => {
        ctx.stop.request("outage", err instanceof Error ? err.message : `the ledger could not be written: ${String(err)}`);
        this.#tally.carried("pending");
        settle?.("open");
      },
    );
    this.#inFlight.add(job);
    void job.finally(() => {
      this.#inFlight.delete(job);
      this.#wakeReader?.();
    });
  }

  #landed(contact: Contact, outcome: SendOutcome): void {
    this.#tally.requests(outcome.requests, outcome.rateLimited);
    if (outcome.result === "in-doubt") this.#settler.add({ contact, readyAt: outcome.readyAt ?? this.#ctx.clock.now() });
    else if (outcome.result === "waiting") {
      // A busy number (docs/reference.md §16, onConflict wait): pending, tried again by a later run until its deadline.
      this.#tally.schedule.waiting++;
      this.#counted(contact, "pending");
    } else this.#counted(contact, outcome.result);
  }

  /** A contact's status after this run: recorded by it, or left pending. */
  #counted(contact: Contact, status: "created" | "conflict_skipped" | "failed" | "expired" | "opted_out" | "pending"): void {
    if (status === "pending") this.#tally.carried("pending");
    else this.#tally.recorded(status);
    this.#ctx.emit({ type: "row", row: contact.row, status, to: contact.to });
  }
}
