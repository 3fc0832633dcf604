import type { Contact } from "../../contacts/contact.js";
import type { PlannedRow } from "./planned-row.js";
import { openContactRows } from "../../contacts/pipeline.js";
import { recordEndsAreFinal } from "../../contacts/read-csv.js";
import { SeenKeys } from "../../contacts/seen-keys.js";
import { FinalPrefixTracker } from "./final-prefix.js";
import { emptyCounts } from "../../ledger/row-status.js";
import { loadSuppression } from "../../contacts/suppression.js";
import type { OptedOut } from "../../opt-outs/opted-out.js";
import type { LedgerState } from "../../ledger/fold.js";
import type { Campaign } from "../../campaign/campaign.js";
import type { ResumePoint } from "./campaign-state.js";
import { decideContact } from "./decide.js";
import { OneReason } from "../../contacts/one-reason.js";
import type { ShardSpec } from "../../contacts/shard.js";

/**
 * The campaign's rows in file order, each with its verdict and, for a sendable contact, what
 * to do given the ledger. Throws `CampaignInputError` (before yielding anything) when the
 * contacts or suppression file is unusable. Shared by `run`, `run --dry-run` and `validate`.
 */
export async function planRows(
  campaign: Campaign,
  state: LedgerState,
  /** `now`: the instant deadlines (`notAfter`) are judged at; `resume`: start past a checkpoint's final prefix. */
  /** `trackPrefix`: follow how far every row is final (`run`: the checkpoint starts there). `optedOut`: the list, kept current by the run. */
  options: {
    retryFailed: boolean;
    shard?: ShardSpec | undefined;
    now: number;
    resume?: ResumePoint | undefined;
    trackPrefix?: boolean;
    optedOut: OptedOut;
  },
): Promise<{ batches: AsyncGenerator<PlannedRow[]>; parameterKeys: string[]; prefix: FinalPrefixTracker | undefined }> {
  const suppressed = await loadSuppression(campaign.suppressPath, campaign.defaultRegion);
  const { optedOut } = options;
  const seen = options.resume?.seen ?? new SeenKeys(campaign.from);
  if (options.resume) options.resume.seen = undefined; // taken: this reading grows it
  const contacts = await openContactRows(campaign, { suppressed, resume: options.resume?.csv, seen, shard: options.shard });
  const prefix = options.trackPrefix
    ? new FinalPrefixTracker({
        start: contacts.start,
        counts: options.resume?.prefixCounts ?? emptyCounts(),
        seen,
        committable: await recordEndsAreFinal(campaign.contactsPath),
      })
    : undefined;
  // One row a batch: the final prefix follows the run's verdicts row by row, and each row is decided
  // only once the rows before it were performed.
  const oneReason = new OneReason();
  const batches = (async function* (): AsyncGenerator<PlannedRow[]> {
    for await (const { record, verdict, key, kept, otherShard } of contacts.rows()) {
      prefix?.read(record, kept);
      if (otherShard) {
        prefix?.final(undefined); // never this ledger's to send or report
        continue;
      }
      oneReason.add(verdict);
      if (verdict.status !== "sendable") {
        yield [{ kind: "skipped", verdict, alreadyRecorded: state.skippedRows.has(verdict.row) }];
        continue;
      }
      const { contact } = verdict;
      const decision = decideContact(state.units.get(key!), {
        retryFailed: options.retryFailed,
        deadlinePassed: isPastDeadline(contact, options.now),
        optedOut: optedOut.has(contact.to),
      });
      yield [{ kind: "contact", contact, key: key!, decision }];
    }
    // Every row invalid for one reason: the campaign file or the export is wrong, not the data (exit 2).
    const refusal = oneReason.refusal(campaign.contactsPath);
    if (refusal) throw refusal;
  })();
  return { batches, parameterKeys: contacts.parameterKeys, prefix };
}

/** Has the contact's `notAfter` deadline passed at `now`? */
export function isPastDeadline(contact: Pick<Contact, "notAfter">, now: number): boolean {
  return contact.notAfter !== undefined && now >= contact.notAfter;
}
