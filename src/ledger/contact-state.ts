import { unitKey } from "../contacts/unit.js";
import type { CampaignHeader, FlowChecked, LedgerEvent } from "./events.js";

/** `opted_out`: on the opt-out list when its turn came (SPEC §12); sent again only after an opt-in. */
export type ContactStatus = "pending" | "created" | "conflict_skipped" | "failed" | "expired" | "opted_out";

/** What the run needs to decide about one contact. Kept small: a run may hold a million. */
export interface ContactState {
  status: ContactStatus;
  attempts: number;
  /** An attempt may have created an Execution: settle it through List before any re-send. */
  inDoubt: boolean;
  /**
   * Start of this contact's first attempt whose outcome was unknown (ms since epoch). Kept after
   * the doubt is settled: a later 409 naming an Execution created since then is our own.
   */
  firstDoubtAt: number | undefined;
  /** For `failed`: whether the failure was transient (re-attempted by `--retry-failed`). */
  transient: boolean;
  /** Start of the latest attempt, and whether it still awaits its outcome. */
  lastAttemptAt: number;
  attemptOpen: boolean;
}

export interface LedgerState {
  header: CampaignHeader | undefined;
  /** The latest flow preflight recorded. */
  flow: FlowChecked | undefined;
  contacts: Map<string, ContactState>;
  /** Rows already recorded as invalid, duplicate or suppressed. */
  skippedRows: Set<number>;
}

export function emptyLedgerState(): LedgerState {
  return { header: undefined, flow: undefined, contacts: new Map(), skippedRows: new Set() };
}

export function newContactState(): ContactState {
  return {
    status: "pending",
    attempts: 0,
    inDoubt: false,
    firstDoubtAt: undefined,
    transient: false,
    lastAttemptAt: 0,
    attemptOpen: false,
  };
}

/** Fold one event into the state. The run applies its own events through this too. */
export function applyEvent(state: LedgerState, event: LedgerEvent): void {
  switch (event.t) {
    case "campaign":
      state.header ??= event;
      return;
    case "row":
      state.skippedRows.add(event.row);
      return;
    case "flow":
      state.flow = event;
      return;
    case "exec":
    case "results":
      return;
  }
  const key = unitKey(event);
  let contact = state.contacts.get(key);
  if (!contact) state.contacts.set(key, (contact = newContactState()));
  applyContactEvent(contact, event);
}

export function applyContactEvent(contact: ContactState, event: LedgerEvent): void {
  switch (event.t) {
    case "attempt":
      contact.attempts = Math.max(contact.attempts, event.n);
      contact.lastAttemptAt = Date.parse(event.at);
      contact.attemptOpen = true;
      return;
    case "in_doubt":
      markInDoubt(contact);
      return;
    case "created":
    case "adopted":
      contact.status = "created";
      contact.inDoubt = false;
      contact.attemptOpen = false;
      return;
    case "conflict":
      contact.attemptOpen = false;
      if (event.action === "skipped") {
        contact.status = "conflict_skipped";
      }
      return;
    case "failed":
      contact.attemptOpen = false;
      if (event.final) {
        contact.status = "failed";
        contact.transient = event.transient;
      }
      return;
    case "withdrawn":
      contact.attemptOpen = false;
      return;
    case "expired":
      contact.status = "expired";
      return;
    case "opted_out":
      contact.status = "opted_out";
      return;
    case "cleared":
      contact.inDoubt = false;
      return;
  }
}

function markInDoubt(contact: ContactState): void {
  contact.attemptOpen = false;
  contact.inDoubt = true;
  contact.firstDoubtAt ??= contact.lastAttemptAt;
}

/** After the fold: an attempt left without outcome (a crash) is in doubt since it started. */
export function finishFold(state: LedgerState): void {
  for (const contact of state.contacts.values()) if (contact.attemptOpen) markInDoubt(contact);
}
