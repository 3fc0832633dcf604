import { describe, expect, it } from "vitest";
import { AppointmentBook } from "../../src/ledger/appointment-book.js";
import type { AppointmentSeen } from "../../src/ledger/events.js";
import { stateFromCheckpoint, type Checkpoint } from "../../src/ledger/checkpoint.js";

/** A standing campaign's appointments, compact (docs/reference.md §16). */
const seen = (key: string, appointmentAt: string, extra: Partial<AppointmentSeen> = {}): AppointmentSeen => ({
  t: "appointment",
  row: 1,
  key,
  appointmentAt,
  zone: "America/New_York",
  to: "+14155551000",
  from: "+15017122661",
  cells: appointmentAt.slice(0, 16),
  at: "2026-12-01T00:00:00.000Z",
  ...extra,
});

function packedAndBack(book: AppointmentBook): AppointmentBook {
  const { keys, starts, lines } = book.pack();
  return AppointmentBook.unpack(keys, starts, Buffer.concat(lines))!;
}

describe("the appointment book", () => {
  it("numbers appointments in the order the ledger first named them, and keeps every version through a pack", () => {
    const book = new AppointmentBook();
    book.fold(seen("A1", "2026-12-03T15:00:00.000Z"));
    book.fold(seen('B\n\t"2', "2026-12-04T15:00:00.000Z", { left: "not in the export" }));
    book.fold(seen("A1", "2026-12-05T15:00:00.000Z")); // moved: the first time is an earlier one
    book.fold(seen("C3", "2026-12-06T15:00:00.000Z", { rereadFrom: "2026-12-06T14:00:00.000Z" }));
    const back = packedAndBack(book);
    expect([...back.keys()]).toEqual(["A1", 'B\n\t"2', "C3"]);
    expect(back.numberOf("C3")).toBe(2);
    expect([...back]).toEqual([...book]);
    expect(back.get("A1")).toMatchObject({ latest: { appointmentAt: "2026-12-05T15:00:00.000Z" }, earlier: ["2026-12-03T15:00:00.000Z"] });
    expect([0, 1, 2].map((n) => back.hasEarlier(n))).toEqual([true, false, false]);
  });

  it("an appointment packed stays bytes until asked for; folded after, it packs as changed, and a new one takes the next number", () => {
    const book = new AppointmentBook();
    for (let i = 0; i < 5; i++) book.fold(seen(`A${i}`, `2026-12-0${i + 3}T15:00:00.000Z`));
    const back = packedAndBack(book);
    back.fold(seen("A2", "2026-12-20T15:00:00.000Z"));
    back.fold(seen("A9", "2026-12-21T15:00:00.000Z"));
    expect(back.numberOf("A9")).toBe(5);
    const again = packedAndBack(back);
    expect(again.get("A2")).toMatchObject({ latest: { appointmentAt: "2026-12-20T15:00:00.000Z" }, earlier: ["2026-12-05T15:00:00.000Z"] });
    expect(again.get("A4")?.latest.appointmentAt).toBe("2026-12-07T15:00:00.000Z");
    expect(again.size).toBe(6);
  });

  it("finds each of many keys by its number, folded or unpacked", () => {
    const book = new AppointmentBook();
    for (let i = 0; i < 5000; i++) book.fold(seen(`K${i}`, "2026-12-03T15:00:00.000Z"));
    const back = packedAndBack(book);
    back.fold(seen("K-new", "2026-12-03T15:00:00.000Z"));
    expect([0, 4321, 4999].map((i) => back.numberOf(`K${i}`))).toEqual([0, 4321, 4999]);
    expect(back.numberOf("K-new")).toBe(5000);
    expect(back.numberOf("K5000")).toBeUndefined();
    expect(back.has("K17")).toBe(true);
  });

  it("appointments new to a book that packs them (a first tick's) are kept as lines, and read, changed and packed as the others", () => {
    const book = packedAndBack(new AppointmentBook());
    book.packNew();
    for (let i = 0; i < 3000; i++) book.fold(seen(`N${i}`, "2026-12-03T15:00:00.000Z", { row: i + 1 }));
    expect(book.hasEarlier(5)).toBe(false);
    book.fold(seen("N5", "2026-12-04T15:00:00.000Z")); // moved: unpacked, changed
    expect(book.hasEarlier(5)).toBe(true);
    expect(book.get("N2999")?.latest).toMatchObject({ row: 3000, key: "N2999", cells: "2026-12-03T15:00" });
    const back = packedAndBack(book);
    expect(back.size).toBe(3000);
    expect(back.get("N5")).toMatchObject({ latest: { appointmentAt: "2026-12-04T15:00:00.000Z" }, earlier: ["2026-12-03T15:00:00.000Z"] });
    expect(back.get("N1234")?.latest.row).toBe(1235);
  });

  it("lines kept across the slabs they are packed into (more than 4 MiB of them, one longer than a slab) pack as a book of objects does", () => {
    const events = Array.from({ length: 40_000 }, (_, i) => seen(`S${i}`, "2026-12-03T15:00:00.000Z", { row: i + 1 }));
    events.splice(20_000, 0, seen("LONG", "2026-12-03T15:00:00.000Z", { cells: "x".repeat(5 << 20) }));
    const [lines, objects] = [packedAndBack(new AppointmentBook()), new AppointmentBook()];
    lines.packNew();
    const numbers = events.map((event) => [lines.fold(event), objects.fold(event)]);
    expect(numbers.every(([a, b], i) => a === i && b === i)).toBe(true);
    expect(lines.fold(seen("S7", "2026-12-09T15:00:00.000Z"))).toBe(7); // a known key: its number
    objects.fold(seen("S7", "2026-12-09T15:00:00.000Z"));
    const [packed, expected] = [lines.pack(), objects.pack()];
    expect(Buffer.concat(packed.lines).equals(Buffer.concat(expected.lines))).toBe(true);
    expect(packed.starts).toEqual(expected.starts);
    expect(packedAndBack(lines).get("LONG")?.latest.cells).toHaveLength(5 << 20);
  });

  it("parts that do not agree are no book (the checkpoint is then not used)", () => {
    const book = new AppointmentBook();
    book.fold(seen("A1", "2026-12-03T15:00:00.000Z"));
    const { keys, starts, lines: parts } = book.pack();
    const lines = Buffer.concat(parts);
    expect(AppointmentBook.unpack(`${String(keys)}\nA2`, starts, lines)).toBeUndefined();
    expect(AppointmentBook.unpack(keys, starts, lines.subarray(1))).toBeUndefined();
    expect(AppointmentBook.unpack(["A1", "A1"], new Float64Array([0, 1, lines.length]), lines)).toBeUndefined();
  });

  it("a checkpoint of the earlier shape (its appointments as objects in its JSON) is read as a book", () => {
    const { t: _t, at: _at, ...latest } = seen("A1", "2026-12-03T15:00:00.000Z");
    const checkpoint = { v: 1, contacts: [], skippedRows: [], appointments: [["A1", { latest, earlier: [] }]] } as unknown as Checkpoint;
    const state = stateFromCheckpoint({ checkpoint, appointments: undefined });
    expect(state.appointments.numberOf("A1")).toBe(0);
    expect(state.appointments.get("A1")?.latest).toEqual(latest);
  });
});
