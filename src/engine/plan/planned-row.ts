import type { Contact, RowVerdict } from "../../contacts/contact.js";
import type { ContactDecision } from "./decide.js";
import type { LaterCount } from "./later-count.js";

/** One row of a plan, decided: what the run, the dry run and validate do with it. */
export type PlannedRow =
  | { kind: "skipped"; verdict: Exclude<RowVerdict, { status: "sendable" }>; alreadyRecorded: boolean }
  | { kind: "contact"; contact: Contact; key: string; decision: ContactDecision }
  /** A standing campaign's reminder whose appointment left the file and which has no Execution (docs/reference.md §16): never sent. */
  | { kind: "cancelled" }
  /**
   * A reminder of an appointment missing from an export that shrank past `schedule.maxCancel`
   * (docs/reference.md §17): neither sent nor cancelled — held, with the run's stop message.
   */
  | { kind: "withheld"; message: string }
  /** A standing campaign's reminder the ledger knows nothing of, not due yet: only counted (`dueAt`: when it will be). */
  | { kind: "later"; dueAt: number; deadline: number; row: number; zones: readonly string[] | undefined }
  /** Many such reminders of a tick's unchanged rows (docs/reference.md §16), counted together: a real run's only. */
  | { kind: "laters"; count: LaterCount };
