import { describe, expect, it } from "vitest";
import { jsonErrorPlace, nearestKey, parseCampaign } from "../../src/campaign/load-campaign.js";

const valid = { name: "c", flowSid: `FW${"a".repeat(32)}`, from: "+15017122661", contacts: "c.csv" };

describe("parseCampaign", () => {
  it("applies defaults and resolves paths against the campaign file", () => {
    const campaign = parseCampaign(valid, "/srv/campaigns/c.json");
    expect(campaign).toMatchObject({
      contactsPath: "/srv/campaigns/c.csv",
      ledgerPath: "/srv/campaigns/c.ledger.jsonl",
      onConflict: "skip",
      rate: { perSecond: 20, concurrency: 10 },
      retry: { maxAttempts: 5 },
      columns: { to: "to" },
    });
  });

  it("lets flags override the file", () => {
    const campaign = parseCampaign({ ...valid, rate: { perSecond: 5 } }, "/c.json", {
      rate: 2.5,
      onConflict: "end-and-retry",
      contacts: "/other.csv",
    });
    expect([campaign.rate.perSecond, campaign.onConflict, campaign.contactsPath]).toEqual([2.5, "end-and-retry", "/other.csv"]);
  });

  it.each([
    [{ ...valid, name: "bad name" }, /"name" must be/],
    [{ ...valid, flowSid: "FW123" }, /"flowSid" must be a Flow SID/],
    [{ ...valid, from: "5017122661" }, /"from" must be an E.164 number/],
    [{ ...valid, contacts: undefined }, /"contacts" must be a path/],
    [{ ...valid, onConflict: "end" }, /"onConflict" must be "skip", "end-and-retry" or, with a schedule, "wait"/],
    [{ ...valid, onConflict: "wait" }, /"onConflict" must be "skip" or "end-and-retry" \("wait" is for a campaign with a schedule\)/],
    [{ ...valid, rate: { perSecond: 0 } }, /"rate.perSecond" must be a positive number/],
    [{ ...valid, rate: { concurrency: 1.5 } }, /"rate.concurrency" must be a positive integer/],
    [{ ...valid, rate: { burst: 3 } }, /"rate.burst" must be one of perSecond, concurrency/],
    [{ ...valid, retry: { maxAttempts: "5" } }, /"retry.maxAttempts"/],
    [{ ...valid, colums: {} }, /"colums" must be one of the known keys/],
    [{ ...valid, defaultRegion: "usa" }, /"defaultRegion"/],
    [{ ...valid, parameters: { a: { nested: 1 } } }, /"parameters.a" must be a string, number or boolean/],
    [{ ...valid, window: { timezone: "Mars/Base", start: "09:00", end: "17:00" } }, /"window.timezone"/],
    [{ ...valid, window: { timezone: "UTC", start: "9am", end: "17:00" } }, /"window.start"/],
    [{ ...valid, window: { timezone: "UTC", start: "18:00", end: "17:00" } }, /"window.end" must be later/],
    [{ ...valid, window: { timezone: "UTC", start: "09:00", end: "17:00", days: ["monday"] } }, /"window.days"/],
    [[1, 2], /must be a JSON object/],
  ])("names the key: %j", (raw, message) => {
    expect(() => parseCampaign(raw, "/c.json")).toThrow(message);
  });

  it("names the file in every error", () => {
    expect(() => parseCampaign({ ...valid, flowSid: 1 }, "/srv/x.json")).toThrow(/^\/srv\/x\.json: /);
  });
});

describe("what the operator reads of a campaign file's mistakes", () => {
  it.each([
    ["shedule", '; did you mean "schedule"?'],
    ["excludes", '; did you mean "exclude"?'],
    ["flowsid", '; did you mean "flowSid"?'],
    ["quietHours", ""],
  ])("an unknown key %j names the nearest known one: %j", (key, hint) => {
    expect(nearestKey(key)).toBe(hint);
  });

  it("bad JSON is placed by line and column", () => {
    const text = '{\n  "name": "a",\n  "from" "+1"\n}';
    expect(jsonErrorPlace(text, "Unexpected string in JSON at position 26")).toBe("line 3, column 10: ");
    expect(jsonErrorPlace(text, "Unexpected end of JSON input")).toBe("");
  });
});
