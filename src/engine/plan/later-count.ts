/**
 * Reminders not due yet, counted (docs/reference.md §16): how many, the first moment one needs a
 * run (due, or its deadline if that comes first), and the next due time with how many are due
 * then. Counts of parts of a plan add up to the count of the whole (`merge`).
 */
export class LaterCount {
  count = 0;
  wakeAt = Infinity;
  nextDueAt = Infinity;
  nextDueCount = 0;

  add(dueAt: number, wakeAt: number = dueAt): void {
    this.count++;
    this.wakeAt = Math.min(this.wakeAt, wakeAt);
    if (dueAt < this.nextDueAt) [this.nextDueAt, this.nextDueCount] = [dueAt, 0];
    if (dueAt === this.nextDueAt) this.nextDueCount++;
  }

  merge(other: LaterCount): void {
    this.count += other.count;
    this.wakeAt = Math.min(this.wakeAt, other.wakeAt);
    if (other.nextDueAt < this.nextDueAt) [this.nextDueAt, this.nextDueCount] = [other.nextDueAt, other.nextDueCount];
    else if (other.nextDueAt === this.nextDueAt) this.nextDueCount += other.nextDueCount;
  }
}
