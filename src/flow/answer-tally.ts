/**
 * Answers counted as one when they differ only in case, width or spacing (`yes`, `YES`, ` Yes `):
 * what an operator means by "the same answer" (docs/reference.md §11). Each is shown as first
 * written. Bounded: past `max` distinct answers, new ones are only counted as overflow.
 */
export class AnswerTally {
  /** Shown answer (its first spelling) → count. */
  readonly counts = new Map<string, number>();
  /** Folded answer → its first spelling. */
  readonly #spelling = new Map<string, string>();
  overflow = 0;

  constructor(readonly max = Infinity) {}

  add(answer: string): void {
    const folded = foldAnswer(answer);
    let shown = this.#spelling.get(folded);
    if (shown === undefined) {
      if (this.#spelling.size >= this.max) {
        this.overflow++;
        return;
      }
      this.#spelling.set(folded, (shown = answer));
    }
    this.counts.set(shown, (this.counts.get(shown) ?? 0) + 1);
  }
}

/**
 * Answers most first, ties in code-unit order of the answer: the same order whatever order the
 * answers came in (`results` reads Contexts at once, so its order is not the contacts').
 */
export function rankAnswers(counts: Iterable<readonly [string, number]>): Array<[string, number]> {
  return [...counts]
    .map(([answer, count]): [string, number] => [answer, count])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The answer as compared: Unicode-compatible form (full-width letters as ASCII), lower case, runs of spaces as one. */
export function foldAnswer(answer: string): string {
  return answer.normalize("NFKC").toLocaleLowerCase("und").replace(/\s+/g, " ").trim();
}
