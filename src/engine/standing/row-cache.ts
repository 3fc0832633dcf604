/**
 * What a standing tick learned of each row of the export it read, so that the next tick need not
 * parse a row that is byte for byte the same (docs/reference.md §16): a booking system re-exports
 * its whole book to change a few appointments. Kept beside the checkpoint (a cache like it): for
 * each row that was an appointment with nothing to do yet — every reminder unknown to the ledger
 * and not due — its number in the book and when each reminder is due; for an excluded row its key and why; for
 * another shard's row, nothing but that. A row is known by a 53-bit hash of its bytes.
 *
 * An entry holds while the campaign (the tick's fingerprint: file, lists, opt-outs) is the same,
 * no ledger event since names its appointment, and now is before its first reminder is due or
 * reaches its deadline. Anything else and the row is parsed and planned as if new.
 */

import type { LedgerStore } from "../../ledger/ledger-store.js";

/** One row as the last tick left it. */
export type CachedRow =
  /**
   * `appointment`: its number in the book (`AppointmentBook`); `wake`: when the first of its
   * reminders is due or reaches its deadline (ms: the row holds until then); `times[at]` to
   * `times[at + count - 1]`: when each reminder is due.
   */
  | { kind: "later"; appointment: number; entry: number; wake: number; times: Float64Array; at: number; count: number }
  | { kind: "excluded"; key: string; entry: number; reason: string }
  | { kind: "other-shard"; entry: number };

const KINDS = ["later", "excluded", "other-shard"] as const;

/** Numbers an entry takes: its hash, its appointment's number (an excluded row's reason's), its wake, a due time a reminder. */
const strideOf = (reminders: number) => 3 + reminders;

/** The note's text part; its numbers follow as bytes (`RowCache.encode`). */
interface RowCacheHead {
  v: 1;
  fingerprint: string;
  /** The header line's hash: another header is another reading of every row. */
  header: number;
  /** The ledger's end when the tick ended (events after it may concern an entry), and its identity there. */
  ledgerEnd: number;
  ledger: { head: string; tail: string };
  reminders: number;
  /** Entries in all. */
  count: number;
  /** An excluded row's key, by entry (its appointment may be unknown to the ledger; the others are numbered). */
  keys: Record<string, string>;
  reasons: string[];
}

export class RowCache {
  readonly head: RowCacheHead;
  /** Per entry (`strideOf`): hash, the appointment's number (an excluded row's reason's), wake, due time per reminder. */
  readonly #numbers: Float64Array;
  readonly #kinds: Uint8Array;
  readonly #index: HashIndex;

  private constructor(head: RowCacheHead, numbers: Float64Array, kinds: Uint8Array) {
    this.head = head;
    this.#numbers = numbers;
    this.#kinds = kinds;
    const stride = this.#stride;
    this.#index = new HashIndex(kinds.length, (entry) => numbers[entry * stride]!);
    for (let entry = 0; entry < kinds.length; entry++) this.#index.set(entry);
  }

  get #stride(): number {
    return strideOf(this.head.reminders);
  }

  get size(): number {
    return this.#kinds.length;
  }

  /** The row last seen with these bytes, if any. */
  find(hash: number): CachedRow | undefined {
    const entry = this.entryOf(hash);
    return entry < 0 ? undefined : this.row(entry);
  }

  /** The entry of the row last seen with these bytes; -1: none. */
  entryOf(hash: number): number {
    return this.#index.get(hash) ?? -1;
  }

  /** An entry's kind, and (for a row with nothing to do yet) its appointment's number and where its times start in `numbers`. */
  kindOf(entry: number): CachedRow["kind"] {
    return KINDS[this.#kinds[entry]!]!;
  }

  appointmentOf(entry: number): number {
    return this.#numbers[entry * this.#stride + 1]!;
  }

  /** When the row's first reminder is due or reaches its deadline: the cached row holds until then. */
  wakeOf(entry: number): number {
    return this.#numbers[entry * this.#stride + 2]!;
  }

  /** Where the row's due times start in `numbers` (`head.reminders` of them). */
  timesAt(entry: number): number {
    return entry * this.#stride + 3;
  }

  /** An excluded row's key and why. */
  excludedOf(entry: number): { key: string; reason: string } {
    return { key: this.head.keys[entry] ?? "", reason: this.head.reasons[this.#numbers[entry * this.#stride + 1]!]! };
  }

  get numbers(): Float64Array {
    return this.#numbers;
  }

  row(entry: number): CachedRow {
    const kind = this.kindOf(entry);
    if (kind === "other-shard") return { kind, entry };
    if (kind === "excluded") return { kind, entry, ...this.excludedOf(entry) };
    const [appointment, wake, at] = [this.appointmentOf(entry), this.wakeOf(entry), this.timesAt(entry)];
    return { kind, appointment, entry, wake, times: this.#numbers, at, count: this.head.reminders };
  }

  /** The note as stored: its text, and its numbers and kinds as bytes. */
  static encode(head: Omit<RowCacheHead, "v">, numbers: Float64Array, kinds: Uint8Array): { text: string; data: Uint8Array[] } {
    return {
      text: JSON.stringify({ v: 1, ...head }),
      data: [new Uint8Array(numbers.buffer, numbers.byteOffset, numbers.byteLength), kinds],
    };
  }

  /** The cache a note holds; undefined when it is of another shape (a cache: never an error). */
  static decode(text: string, data: Uint8Array): RowCache | undefined {
    let head: RowCacheHead;
    try {
      head = JSON.parse(text) as RowCacheHead;
    } catch {
      return undefined;
    }
    if (head.v !== 1) return undefined;
    const { count } = head;
    if (!Number.isInteger(count) || typeof head.keys !== "object" || head.keys === null) return undefined;
    const numbersBytes = count * strideOf(head.reminders) * 8;
    if (data.byteLength !== numbersBytes + count) return undefined;
    // Used where they lie when aligned (a file note is written so); else copied into memory of their own.
    let numbers: Float64Array;
    if (data.byteOffset % 8 === 0) numbers = new Float64Array(data.buffer, data.byteOffset, numbersBytes / 8);
    else {
      numbers = new Float64Array(numbersBytes / 8);
      new Uint8Array(numbers.buffer).set(data.subarray(0, numbersBytes));
    }
    return new RowCache(head, numbers, data.subarray(numbersBytes));
  }
}

/** The next tick's cache, built as this tick plans: one entry a row with nothing to do yet. */
export class RowCacheBuilder {
  readonly #reminders: number;
  #count = 0;
  readonly #keys: Record<string, string> = {};
  readonly #reasons: string[] = [];
  readonly #reasonIndex = new Map<string, number>();
  #numbers: Float64Array;
  #kinds: Uint8Array;

  /** `rows`: about how many the export has (the last cache's size): room for them from the start. */
  constructor(reminders: number, rows = 1024) {
    this.#reminders = reminders;
    const room = Math.max(1024, rows);
    this.#numbers = new Float64Array(room * strideOf(reminders));
    this.#kinds = new Uint8Array(room);
  }

  /** A row the last cache had, as it had it (its entry copied). */
  keep(cache: RowCache, entry: number, hash: number): void {
    const stride = strideOf(this.#reminders);
    const at = this.#count++;
    if (at === this.#kinds.length) this.#grow();
    const kind = cache.kindOf(entry);
    const from = cache.numbers;
    for (let i = 0; i < stride; i++) this.#numbers[at * stride + i] = from[entry * stride + i]!;
    this.#numbers[at * stride] = hash;
    this.#kinds[at] = KINDS.indexOf(kind);
    if (kind !== "excluded") return;
    const { key, reason } = cache.excludedOf(entry);
    this.#keys[at] = key;
    this.#numbers[at * stride + 1] = this.#reason(reason);
  }

  /** A row: its hash, and what it was (`times`: due and deadline per reminder, in pairs). */
  add(
    hash: number,
    row:
      | { kind: "later"; appointment: number; times: ArrayLike<number> }
      | { kind: "excluded"; key: string; reason: string }
      | { kind: "other-shard" },
  ): void {
    const entry = this.#count++;
    const stride = strideOf(this.#reminders);
    if (entry === this.#kinds.length) this.#grow();
    const base = entry * stride;
    this.#numbers[base] = hash;
    this.#kinds[entry] = KINDS.indexOf(row.kind);
    // Keys only for excluded rows (their appointment may be unknown to the ledger); one is numbered.
    if (row.kind === "excluded") {
      this.#keys[entry] = row.key;
      this.#numbers[base + 1] = this.#reason(row.reason);
    }
    if (row.kind !== "later") return;
    this.#numbers[base + 1] = row.appointment;
    let wake = Infinity;
    for (let r = 0; r < this.#reminders; r++) {
      const [due, deadline] = [row.times[2 * r]!, row.times[2 * r + 1]!];
      wake = Math.min(wake, due, deadline);
      this.#numbers[base + 3 + r] = due;
    }
    this.#numbers[base + 2] = wake;
  }

  encode(head: Pick<RowCacheHead, "fingerprint" | "header" | "ledgerEnd" | "ledger">): { text: string; data: Uint8Array[] } {
    const count = this.#count;
    return RowCache.encode(
      { ...head, reminders: this.#reminders, count, keys: this.#keys, reasons: this.#reasons },
      this.#numbers.subarray(0, count * strideOf(this.#reminders)),
      this.#kinds.subarray(0, count),
    );
  }

  #reason(reason: string): number {
    let index = this.#reasonIndex.get(reason);
    if (index === undefined) this.#reasonIndex.set(reason, (index = this.#reasons.push(reason) - 1));
    return index;
  }

  #grow(): void {
    const numbers = new Float64Array(this.#numbers.length * 2);
    numbers.set(this.#numbers);
    const kinds = new Uint8Array(this.#kinds.length * 2);
    kinds.set(this.#kinds);
    [this.#numbers, this.#kinds] = [numbers, kinds];
  }
}

/**
 * Hash → entry, open addressing over entry numbers (the hashes stay in the cache's own numbers:
 * `hashOf`). A hash met twice keeps neither: no row is taken for another.
 */
class HashIndex {
  /** entry + 1; 0: empty; negative: that hash is ambiguous. */
  readonly #slots: Int32Array;
  readonly #mask: number;
  readonly #hashOf: (entry: number) => number;

  constructor(count: number, hashOf: (entry: number) => number) {
    let size = 16;
    while (size < count * 2) size *= 2;
    this.#slots = new Int32Array(size);
    this.#mask = size - 1;
    this.#hashOf = hashOf;
  }

  set(entry: number): void {
    const hash = this.#hashOf(entry);
    for (let slot = this.#slot(hash); ; slot = (slot + 1) & this.#mask) {
      const held = this.#slots[slot]!;
      if (held === 0) return void (this.#slots[slot] = entry + 1);
      // Two rows of one export with the same bytes: neither is taken from the cache.
      if (this.#hashOf(Math.abs(held) - 1) === hash) return void (this.#slots[slot] = -Math.abs(held));
    }
  }

  get(hash: number): number | undefined {
    for (let slot = this.#slot(hash); this.#slots[slot] !== 0; slot = (slot + 1) & this.#mask) {
      const held = this.#slots[slot]!;
      if (this.#hashOf(Math.abs(held) - 1) === hash) return held < 0 ? undefined : held - 1;
    }
    return undefined;
  }

  #slot(hash: number): number {
    return (hash ^ (hash / 0x100000000)) & this.#mask;
  }
}

/** The last tick's rows, and the appointments whose ledger events since then make theirs stale. */
export interface UsableCache {
  cache: RowCache;
  stale: ReadonlySet<string>;
}

/** A tick's row caches: the last tick's, as far as it is usable now, and the next one's as this tick plans. */
export interface RowCacheSession {
  usable: UsableCache | undefined;
  next: RowCacheBuilder;
  /** Set by the plan: once the export is read, what the next cache is keyed by (undefined: write none). */
  keyed?: () => { header: number; sha256: string } | undefined;
}

const NOTE = "rows";

/**
 * The last tick's cache, when it was written for this campaign (`fingerprint`) on this ledger:
 * with the appointments named by events appended since (a `results`, an `end`, another tick's
 * sends), whose rows are parsed again. Undefined when absent, of another campaign or the ledger
 * was cut since.
 */
export async function loadRowCache(store: LedgerStore, fingerprint: string): Promise<UsableCache | undefined> {
  const note = await store.readNoteData(NOTE);
  const cache = note && RowCache.decode(note.text, note.data);
  if (!cache || cache.head.fingerprint !== fingerprint || cache.head.ledgerEnd > (await store.end())) return undefined;
  // The same ledger, grown: an appointment's number is its place in the order the ledger first named it.
  const { head, tail } = await store.identity(cache.head.ledgerEnd);
  if (head !== cache.head.ledger?.head || tail !== cache.head.ledger.tail) return undefined;
  const stale = new Set<string>();
  for await (const batch of store.batches(undefined, cache.head.ledgerEnd))
    for (const event of batch) if ("key" in event && typeof event.key === "string") stale.add(event.key);
  return { cache, stale };
}

/** Write the next tick's cache (`keyed`: what the export read was). */
export async function saveRowCache(
  store: LedgerStore,
  next: RowCacheBuilder,
  head: { fingerprint: string; header: number },
): Promise<void> {
  const ledgerEnd = await store.end();
  const { text, data } = next.encode({ ...head, ledgerEnd, ledger: await store.identity(ledgerEnd) });
  await store.writeNote(NOTE, text, data);
}
