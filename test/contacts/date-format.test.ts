import { describe, expect, it } from "vitest";
import { dateReader } from "../../src/contacts/date-format.js";
import { dateFormatProblem, looksLike } from "../../src/contacts/date-symbols.js";
import { parseDeadline } from "../../src/contacts/deadline.js";

describe("dateReader: cells in the campaign's dateFormat (docs/reference.md §17)", () => {
  it.each([
    ["MM/dd/yyyy h:mm a", "12/04/2026 3:25 PM", "2026-12-04T15:25:00.000Z"],
    ["MM/dd/yyyy h:mm a", " 12/04/2026 3:25 pm ", "2026-12-04T15:25:00.000Z"],
    ["MM/dd/yyyy h:mm a", "12/04/2026 12:05 AM", "2026-12-04T00:05:00.000Z"],
    ["dd/MM/yyyy HH:mm", "04/12/2026 15:25", "2026-12-04T15:25:00.000Z"],
    ["d MMM yyyy 'at' HH:mm", "4 Dec 2026 at 09:05", "2026-12-04T09:05:00.000Z"],
    ["yyyy-MM-dd'T'HH:mm:ssXXX", "2026-12-04T15:25:00-08:00", "2026-12-04T23:25:00.000Z (an instant)"],
    ["yyyy-MM-dd HH:mm Z", "2026-12-04 15:25 -0800", "2026-12-04T23:25:00.000Z (an instant)"],
  ])("%s reads %j as %s", (format, cell, expected) => {
    const parsed = dateReader(format)(cell);
    if ("error" in parsed) throw new Error(parsed.error);
    expect(`${new Date(parsed.wall).toISOString()}${parsed.offsetMs === undefined ? "" : " (an instant)"}`).toBe(expected);
  });

  it.each([
    ["MM/dd/yyyy h:mm a", "13/04/2026 3:25 PM"],
    ["MM/dd/yyyy h:mm a", "2026-12-04T15:25"],
    ["dd/MM/yyyy HH:mm", "04/12/2026"],
  ])("%s refuses %j, naming the format", (format, cell) => {
    expect(dateReader(format)(cell)).toEqual({
      error: `not a date-time in the dateFormat ${JSON.stringify(format)}: ${JSON.stringify(cell)}`,
    });
  });

  it("a wall-clock time in the format keeps §16's zone rules: 2:30 on New York's spring-forward day is read as the time after the gap", () => {
    const read = dateReader("MM/dd/yyyy h:mm a");
    expect(new Date(parseDeadline("03/08/2026 2:30 AM", ["America/New_York"], read) as number).toISOString()).toBe(
      "2026-03-08T07:30:00.000Z",
    );
    expect(new Date(parseDeadline("11/01/2026 1:30 AM", ["America/New_York"], read) as number).toISOString()).toBe(
      "2026-11-01T05:30:00.000Z",
    );
  });
});

describe("dateFormatProblem: Unicode symbols, never Moment's", () => {
  it.each([
    ["MM/dd/yyyy h:mm a", undefined],
    ["dd/MM/yyyy HH:mm", undefined],
    ["yyyy-MM-dd'T'HH:mm:ssXXX", undefined],
    ["MM/DD/YYYY", /yyyy for the year \(YYYY is Moment's/],
    ["MM/DD/yyyy", /d or dd for the day of the month \(DD is Moment's/],
    ["dd/MM/yyyy HH:mm Q", /not "Q"/],
    ["HH:mm", /a year \(yyyy\), a month \(MM\) and a day \(dd\)/],
  ])("%j → %s", (format, problem) => {
    const found = dateFormatProblem(format);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});

describe("looksLike: what a non-ISO cell looks like, never a guess between day-first and month-first", () => {
  it.each([
    ["12/04/2026 3:25 PM", ["MM/dd/yyyy h:mm a", "dd/MM/yyyy h:mm a"]],
    ["12/24/2026 3:25 PM", ["MM/dd/yyyy h:mm a"]],
    ["24/12/2026 15:25", ["dd/MM/yyyy HH:mm"]],
    ["04.12.2026 15:25", ["MM.dd.yyyy HH:mm", "dd.MM.yyyy HH:mm"]],
    ["4/12/26 9:05 am", ["M/dd/yy h:mm a", "d/MM/yy h:mm a"]],
    ["12/04/2026 15:25:30", ["MM/dd/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm:ss"]],
    ["31/31/2026", []],
    ["tomorrow", []],
  ])("%j", (cell, formats) => {
    expect(looksLike(cell)).toEqual(formats);
  });
});
