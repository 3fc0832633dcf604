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

describe("replies (docs/reference.md §19)", () => {
  const replies = { from: "widgets.confirm.inbound.Body", intents: { confirmed: ["c", "yes"], cancel: ["x"] } };

  it("reads intents in order, stopRemindersOn, and lateWithin (24h by default)", () => {
    const campaign = parseCampaign({ ...valid, replies: { ...replies, stopRemindersOn: ["cancel"] } }, "/c.json");
    expect(campaign.replies).toMatchObject({ from: replies.from, lateWithin: "24h", lateWithinMs: 86_400_000 });
    expect([...campaign.replies!.intents.keys()]).toEqual(["confirmed", "cancel"]);
    expect([...campaign.replies!.stopRemindersOn]).toEqual(["cancel"]);
    expect(parseCampaign({ ...valid, replies: { ...replies, lateWithin: "36h" } }, "/c.json").replies?.lateWithinMs).toBe(129_600_000);
  });

  it.each([
    [{ ...replies, from: "" }, /"replies.from" must be a dotted path/],
    [{ ...replies, intents: {} }, /"replies.intents" must be an object of intent → words/],
    [{ ...replies, intents: { Confirmed: ["c"] } }, /"replies.intents.Confirmed" must be named by lower-case letters/],
    [{ ...replies, intents: { confirmed: [] } }, /"replies.intents.confirmed" must be a non-empty array of words/],
    [
      { ...replies, intents: { confirmed: ["!!"] } },
      /"replies.intents.confirmed" must be a non-empty array of words \(each with a letter or digit\)/,
    ],
    [{ ...replies, stopRemindersOn: ["canceled"] }, /"replies.stopRemindersOn" must be an array of intent names \(confirmed, cancel\)/],
    [{ ...replies, lateWithin: "a day" }, /"replies.lateWithin" must be a duration/],
    [{ ...replies, within: "1h" }, /"replies.within" must be one of from, intents, stopRemindersOn, lateWithin \(unknown key\)/],
    [[], /"replies" must be an object with from and intents/],
  ])("refused, naming the key: %j", (raw, message) => {
    expect(() => parseCampaign({ ...valid, replies: raw }, "/c.json")).toThrow(message);
  });

  it("a results column may not take a reply column's name", () => {
    expect(() => parseCampaign({ ...valid, results: { intent: "widgets.a.inbound.Body" } }, "/c.json")).toThrow(
      /"results.intent" must be named unlike/,
    );
  });
});
