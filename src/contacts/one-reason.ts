import { CampaignInputError } from "../errors.js";
import type { RowVerdict } from "./contact.js";

/** What a reason says without its values: `Cell Phone: not a valid phone number: "…"` for every bad number. Pure. */
export function reasonKind(reason: string): string {
  return reason
    .replace(/; it looks like .*$/, "")
    .replace(/"[^"]*"/g, "…")
    .replace(/\d+/g, "#");
}

/**
 * Every row of a file invalid for one reason — a wrong column, format or delimiter, not a data
 * problem (docs/reference.md §17): the run is refused (exit 2), naming the reason once with the
 * first rows, instead of a line a row. Fed every row of this reading (this shard's).
 */
export class OneReason {
  #rows = 0;
  #invalid = 0;
  #first: { reason: string; rows: number[] } | undefined;
  #kinds = new Set<string>();

  /** A row known to be valid (a standing tick's cached row): counted, never the reason. */
  counted(): void {
    this.#rows++;
  }

  add(verdict: RowVerdict): void {
    this.#rows++;
    if (verdict.status !== "invalid") return;
    this.#invalid++;
    if (this.#kinds.size < 2) this.#kinds.add(reasonKind(verdict.reason));
    this.#first ??= { reason: verdict.reason, rows: [] };
    if (this.#first.rows.length < 3) this.#first.rows.push(verdict.row);
  }

  /** The refusal when two or more rows were read and every one is invalid for one reason; else undefined. */
  refusal(file: string): CampaignInputError | undefined {
    if (this.#rows < 2 || this.#invalid !== this.#rows || this.#kinds.size !== 1 || !this.#first) return undefined;
    const rows = `${this.#first.rows.join(", ")}${this.#rows > this.#first.rows.length ? ", …" : ""}`;
    return new CampaignInputError(
      `${file}: every row is invalid for one reason (${this.#rows} of ${this.#rows}; rows ${rows}): ${this.#first.reason} — nothing was sent`,
    );
  }
}
