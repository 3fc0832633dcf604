import { instantOfWallClock, localIso } from "../../contacts/zoned-time.js";
import { unitsAttemptedSince } from "../../ledger/recent-events.js";
import { campaignLedger } from "../../campaign/campaign-ledger.js";
import type { Campaign } from "../../campaign/campaign.js";

/**
 * The daily cap (docs/reference.md §13): at most `rate.maxPerDay` messages a day, a contact's create counting
 * `rate.messagesPerContact`; the day in `rate.dayZone` (default America/Los_Angeles: T-Mobile's
 * 10DLC caps reset at midnight Pacific, and messages over the cap fail with 30023 but are still
 * charged — studio-facts.md).
 */
export interface CapSettings {
  maxPerDay: number;
  dayZone: string;
  messagesPerContact: number;
  /** Shared through Redis under this key (a brand's campaigns and workers); else the campaign's own ledger counts. */
  capKey: string | undefined;
}

/** One day in the cap's zone: its date, and the instants it starts and ends (23, 24 or 25 hours: DST). */
export interface CapDay {
  /** `YYYY-MM-DD` in the zone. */
  key: string;
  startsAt: number;
  nextStartsAt: number;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** Pure: the day of `zone` that `at` falls in. */
export function capDay(zone: string, at: number): CapDay {
  let format = dateFormats.get(zone);
  if (!format)
    dateFormats.set(
      zone,
      (format = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" })),
    );
  const p = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, Number(part.value)]));
  const midnight = Date.UTC(p.year!, p.month! - 1, p.day!);
  const next = midnight + 24 * 60 * 60_000; // the next date's midnight, as a wall time (Date.UTC rolls months over)
  const key = new Date(midnight).toISOString().slice(0, 10);
  return { key, startsAt: instantOfWallClock(midnight, zone), nextStartsAt: instantOfWallClock(next, zone) };
}

/** How many days `contacts` more need under the cap, given what today has left. Pure. */
export function daysNeeded(cap: Pick<CapSettings, "maxPerDay" | "messagesPerContact">, contacts: number, usedToday: number): number {
  if (contacts <= 0) return 0;
  const perDay = Math.max(1, Math.floor(cap.maxPerDay / cap.messagesPerContact));
  const leftToday = Math.max(0, Math.floor((cap.maxPerDay - usedToday) / cap.messagesPerContact));
  if (contacts <= leftToday) return 1;
  return (leftToday > 0 ? 1 : 0) + Math.ceil((contacts - leftToday) / perDay);
}

/** What a run asks before each contact's create: room for its messages today. */
export interface DailyCap {
  /** Take `messages` from today's count; false (nothing taken) when they do not fit. */
  take(messages: number, at: number): Promise<boolean>;
  /** Messages counted so far on the day of `at`. */
  used(at: number): Promise<number>;
  readonly settings: CapSettings;
  close(): Promise<void>;
}

/**
 * The cap counted by this process, from what the campaign's ledger says today already used
 * (`usedAt`: the count at `day`). A run that crosses midnight starts the new day at zero.
 */
export class LocalDailyCap implements DailyCap {
  readonly settings: CapSettings;
  #day: string;
  #used: number;

  constructor(settings: CapSettings, start: { day: string; used: number }) {
    this.settings = settings;
    this.#day = start.day;
    this.#used = start.used;
  }

  async take(messages: number, at: number): Promise<boolean> {
    this.#roll(at);
    if (this.#used + messages > this.settings.maxPerDay) return false;
    this.#used += messages;
    return true;
  }

  async used(at: number): Promise<number> {
    this.#roll(at);
    return this.#used;
  }

  async close(): Promise<void> {}

  #roll(at: number): void {
    const day = capDay(this.settings.dayZone, at).key;
    if (day !== this.#day) {
      this.#day = day;
      this.#used = 0;
    }
  }
}

/** The stop message at the cap: which cap, what is used, when the next day starts (in UTC and in the zone). */
export function capReachedMessage(settings: CapSettings, at: number, used: number): string {
  const day = capDay(settings.dayZone, at);
  const shared = settings.capKey === undefined ? "" : ` (shared as "${settings.capKey}")`;
  return (
    `daily cap reached: rate.maxPerDay ${settings.maxPerDay}${shared}, ${used} message(s) counted on ${day.key} ` +
    `(${settings.dayZone}); the next day starts at ${localIso(day.nextStartsAt, settings.dayZone)} (00:00 ${settings.dayZone}): run again then`
  );
}

/** A count shared by every worker (Redis: `throttle/redis-daily-count.ts`). */
export interface SharedDayCount {
  take(day: string, n: number, max: number, dayEndsAt: number): Promise<{ ok: boolean; used: number }>;
  used(day: string): Promise<number>;
  close(): Promise<void>;
}

/** The cap counted in one place for every campaign and worker that names the same `capKey`. */
export class SharedDailyCap implements DailyCap {
  readonly settings: CapSettings;
  readonly #count: SharedDayCount;

  constructor(settings: CapSettings, count: SharedDayCount) {
    this.settings = settings;
    this.#count = count;
  }

  async take(messages: number, at: number): Promise<boolean> {
    const day = capDay(this.settings.dayZone, at);
    return (await this.#count.take(day.key, messages, this.settings.maxPerDay, day.nextStartsAt)).ok;
  }

  async used(at: number): Promise<number> {
    return this.#count.used(capDay(this.settings.dayZone, at).key);
  }

  close(): Promise<void> {
    return this.#count.close();
  }
}

/**
 * The campaign's cap, if it has one: shared through Redis when a Redis URL is given (under
 * `rate.capKey`, else the campaign's name, so its shards share it), else counted from the
 * campaign's own ledger — the contacts attempted since the day began — and then in this process.
 */
export async function openDailyCap(
  campaign: Pick<Campaign, "name" | "ledgerPath" | "rate">,
  options: { at: number; redisUrl: string | undefined },
): Promise<DailyCap | undefined> {
  const { maxPerDay, dayZone, messagesPerContact, capKey } = campaign.rate;
  if (maxPerDay === undefined) return undefined;
  const settings: CapSettings = { maxPerDay, dayZone, messagesPerContact, capKey: options.redisUrl === undefined ? undefined : capKey };
  if (options.redisUrl !== undefined) {
    const { RedisDailyCount } = await import("../../throttle/redis-daily-count.js"); // ioredis: only when shared
    return new SharedDailyCap(settings, new RedisDailyCount({ url: options.redisUrl, key: capKey ?? `campaign:${campaign.name}` }));
  }
  return new LocalDailyCap(settings, { day: capDay(dayZone, options.at).key, used: await ledgerUsedToday(campaign, options.at) });
}

/** Messages the campaign's own ledger counts on the day of `at`: each contact attempted that day, × messages per contact. */
export async function ledgerUsedToday(campaign: Pick<Campaign, "name" | "ledgerPath" | "rate">, at: number): Promise<number> {
  const day = capDay(campaign.rate.dayZone, at);
  return (await unitsAttemptedSince(campaignLedger(campaign), day.startsAt)) * campaign.rate.messagesPerContact;
}

/** The line `validate` and `run` print: the cap, what today has used, and how many days the contacts to send need. */
export function capPlanLine(campaign: Pick<Campaign, "rate">, toSend: number, usedToday: number): string | undefined {
  const { maxPerDay, dayZone, messagesPerContact } = campaign.rate;
  if (maxPerDay === undefined) return undefined;
  const days = daysNeeded({ maxPerDay, messagesPerContact }, toSend, usedToday);
  return (
    `Daily cap: ${maxPerDay} messages a day (${dayZone}), ${usedToday} used today: up to ${toSend} contact(s) × ` +
    `${messagesPerContact} message(s) need ${days} day(s)`
  );
}
