/**
 * What a campaign's checkpoint holds (docs/reference.md §5, §16), asked of its kind: a survey's
 * file only grows, so a final prefix of it is skipped by the next run; a standing campaign's file
 * is a snapshot that may change anywhere, so its checkpoint caches only the ledger's fold, with
 * its appointments.
 */
export interface CheckpointPolicy {
  /** A final prefix of the contacts file may be skipped by the next run. */
  finalPrefix: boolean;
  /**
   * After a run, the checkpoint is rewritten once the ledger grew at least this much since the one
   * it started from (`checkpointed`: what that one covers, bytes of a file or events of a table).
   */
  minGrowth(checkpointed: number): number;
}

/** A survey: any growth of the ledger is worth a new checkpoint (its prefix may have grown). */
export const SURVEY_CHECKPOINT: CheckpointPolicy = { finalPrefix: true, minGrowth: () => 1 };

/**
 * A survey whose file is not UTF-8 (docs/reference.md §17): it is read through a decoder, whose
 * byte offsets are not the file's, so no prefix of it is skipped — it is read whole every run.
 */
export const SURVEY_WHOLE_FILE_CHECKPOINT: CheckpointPolicy = { finalPrefix: false, minGrowth: () => 1 };

/**
 * A standing campaign: its checkpoint holds every appointment, so it is rewritten only once the
 * ledger's tail after it is an eighth of what it covers — the next tick folds a short tail as fast
 * as it reads it.
 */
export const STANDING_CHECKPOINT: CheckpointPolicy = { finalPrefix: false, minGrowth: (checkpointed) => Math.max(4096, checkpointed / 8) };
