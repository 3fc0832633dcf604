import { canonicalLocale, dateFormatProblem } from "../contacts/date-symbols.js";
import { CSV_DELIMITERS, CSV_ENCODINGS, DEFAULT_CSV_FORMAT, type CsvEncoding, type CsvFormat } from "../contacts/csv-format.js";
import { filterValue, type RowFilters } from "../contacts/row-filters.js";
import { envValue } from "../env.js";
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  CAMPAIGN_DEFAULTS,
  WEEKDAYS,
  type Campaign,
  type ConflictPolicy,
  type FollowUpRule,
  type SendWindow,
  type Weekday,
} from "./campaign.js";
import { OUTCOMES, type Outcome } from "../flow/outcome.js";
import { isPostgresUrl } from "../ledger/postgres/postgres-connections.js";
import { CampaignInputError, errnoCode } from "../errors.js";
import { isValidSender } from "../contacts/sender-format.js";
import { isTimeZone } from "../contacts/zone-name.js";
import type { ResultsColumn } from "../flow/results-columns.js";
import { parseSchedule } from "../schedule/parse-schedule.js";
import { parseReplies } from "./parse-replies.js";
import { parseDuration } from "./duration.js";
import { REMINDER_COLUMNS, REPLY_COLUMNS, REPORT_COLUMNS } from "../report/build-report.js";

/** Flags that override the campaign file (docs/reference.md §2: a flag overrides the file). */
export interface CampaignOverrides {
  contacts?: string | undefined;
  ledger?: string | undefined;
  onConflict?: string | undefined;
  rate?: number | undefined;
  concurrency?: number | undefined;
}

const TOP_LEVEL_KEYS = new Set([
  "name",
  "flowSid",
  "from",
  "contacts",
  "defaultRegion",
  "onConflict",
  "rate",
  "retry",
  "columns",
  "parameters",
  "suppress",
  "window",
  "redis",
  "results",
  "optOuts",
  "followUpOf",
  "ledger",
  "schedule",
  "exclude",
  "only",
  "csv",
  "dateFormat",
  "locale",
  "replies",
]);

export async function loadCampaign(file: string, overrides: CampaignOverrides = {}): Promise<Campaign> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new CampaignInputError(`${file}: cannot read the campaign file (${errnoCode(err) ?? String(err)})`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CampaignInputError(`${file}: ${jsonErrorPlace(text, (err as Error).message)}not valid JSON (${(err as Error).message})`, {
      cause: err,
    });
  }
  return parseCampaign(raw, file, overrides);
}

/** `line 12, column 5: ` where JSON.parse gave a position (Node 20 says "at position N"), else nothing. */
export function jsonErrorPlace(text: string, message: string): string {
  const position = /at position (\d+)/.exec(message);
  if (!position) return "";
  const before = text.slice(0, Number(position[1]));
  const line = before.split("\n").length;
  return `line ${line}, column ${before.length - before.lastIndexOf("\n")}: `;
}

/** `; did you mean "schedule"?` for a key one or two edits from a known one. */
export function nearestKey(key: string): string {
  let best: { key: string; distance: number } | undefined;
  for (const known of TOP_LEVEL_KEYS) {
    const distance = editDistance(key.toLowerCase(), known.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key: known, distance };
  }
  return best ? `; did you mean "${best.key}"?` : "";
}

/** Levenshtein distance (insertions, deletions, substitutions), for short keys. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** Check every key; an error names the file and the key, and what was expected. */
export function parseCampaign(raw: unknown, file: string, overrides: CampaignOverrides = {}): Campaign {
  const fail = (key: string, expected: string, got?: unknown): never => {
    const shown = got === undefined ? "" : `, got ${JSON.stringify(got)}`;
    throw new CampaignInputError(`${file}: "${key}" must be ${expected}${shown}`);
  };
  if (!isObject(raw)) return fail("(top level)", "a JSON object");
  for (const key of Object.keys(raw)) if (!TOP_LEVEL_KEYS.has(key)) fail(key, `one of the known keys (unknown key${nearestKey(key)})`);
  const dir = path.dirname(path.resolve(file));
  const { name, flowSid, from } = parseIdentity(raw, fail);
  const followUpOf = raw.followUpOf === undefined ? undefined : parseFollowUp(raw, dir, fail);
  // A follow-up's contacts are the list it keeps of the source's (docs/reference.md §13); its columns are that list's.
  const contacts = followUpOf ? `${name}.contacts.csv` : (overrides.contacts ?? raw.contacts);
  if (typeof contacts !== "string" || contacts === "") fail("contacts", "a path to the contacts CSV (or followUpOf)", contacts);
  const defaultRegion = optionalString(raw, "defaultRegion", fail);
  if (defaultRegion !== undefined && !/^[A-Z]{2}$/.test(defaultRegion))
    fail("defaultRegion", 'a two-letter region code such as "US"', defaultRegion);
  const schedule = raw.schedule === undefined ? undefined : parseSchedule(raw.schedule, fail);
  if (schedule && followUpOf) fail("schedule", "left out of a follow-up (a follow-up's contacts are another campaign's)");
  const onConflict = parseOnConflict(raw, overrides, schedule !== undefined, fail);
  const columns = followUpOf ? FOLLOW_UP_COLUMNS : parseColumns(raw, fail);
  const parameters = parseParameters(raw, fail);
  if (schedule) refuseReminderParameter(columns, parameters, fail);
  const ledgerPath = ledgerLocation(raw, dir, name, overrides.ledger, fail);
  return {
    name,
    flowSid,
    from,
    contactsPath: path.resolve(dir, contacts as string),
    ledgerPath,
    defaultRegion,
    onConflict: onConflict as ConflictPolicy,
    rate: parseRate(raw, overrides, fail),
    retry: parseRetry(raw, fail),
    columns,
    parameters,
    ...parseLists(raw, { dir, ledgerPath }, fail),
    window: raw.window === undefined ? undefined : parseWindow(raw.window, fail),
    results: raw.results === undefined ? undefined : parseResults(raw.results, fail),
    redis: parseRedis(raw, fail),
    followUpOf,
    schedule,
    filters: parseFilters(raw, fail),
    csv: parseCsvFormat(raw, fail),
    dateFormat: parseDateFormat(raw, fail),
    locale: parseLocale(raw, fail),
    replies: raw.replies === undefined ? undefined : parseReplies(raw.replies, fail),
  };
}

/** `locale` (docs/reference.md §17): the display times' language when a row gives none. BCP 47; default `en-US`. */
function parseLocale(raw: Record<string, unknown>, fail: Fail): string {
  const locale = raw.locale ?? "en-US";
  const canonical = typeof locale === "string" ? canonicalLocale(locale) : undefined;
  return canonical ?? fail("locale", 'a BCP 47 language tag such as "en-US" or "es-US"', locale);
}

/** `dateFormat` (docs/reference.md §17): Unicode date-field symbols; Moment's `YYYY`/`DD` refused naming the right ones. */
function parseDateFormat(raw: Record<string, unknown>, fail: Fail): string | undefined {
  const format = raw.dateFormat;
  if (format === undefined) return undefined;
  if (typeof format !== "string" || format.trim() === "") return fail("dateFormat", 'a date format such as "MM/dd/yyyy h:mm a"', format);
  const problem = dateFormatProblem(format);
  return problem === undefined ? format : fail("dateFormat", problem, format);
}

/** `csv` (docs/reference.md §17): `delimiter` (`,` `;` tab `|`, or `"tab"`; detected when unset) and `encoding`. */
function parseCsvFormat(raw: Record<string, unknown>, fail: Fail): CsvFormat {
  const value = raw.csv;
  if (value === undefined) return DEFAULT_CSV_FORMAT;
  if (!isObject(value)) return fail("csv", "an object with delimiter and/or encoding", value);
  for (const key of Object.keys(value))
    if (key !== "delimiter" && key !== "encoding") fail(`csv.${key}`, "one of delimiter, encoding (unknown key)");
  const delimiter = value.delimiter === "tab" ? "\t" : value.delimiter;
  if (delimiter !== undefined && !(CSV_DELIMITERS as readonly unknown[]).includes(delimiter))
    fail("csv.delimiter", 'one of ",", ";", "tab" or "|"', value.delimiter);
  const encoding = (typeof value.encoding === "string" ? value.encoding.toLowerCase() : value.encoding) ?? "utf-8";
  if (!(CSV_ENCODINGS as readonly unknown[]).includes(encoding))
    fail("csv.encoding", CSV_ENCODINGS.map((e) => `"${e}"`).join(", "), value.encoding);
  return { delimiter: delimiter as string | undefined, encoding: encoding as CsvEncoding };
}

/** `exclude` and `only` (docs/reference.md §17): column → a non-empty list of values. */
function parseFilters(raw: Record<string, unknown>, fail: Fail): RowFilters | undefined {
  const read = (key: "exclude" | "only") => {
    const value = raw[key];
    if (value === undefined) return [];
    if (!isObject(value) || Object.keys(value).length === 0)
      return fail(key, 'an object of column → values, e.g. {"Status": ["Cancelled"]}', value);
    return Object.entries(value).map(([column, values]) => {
      if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "string" || typeof v === "number"))
        fail(`${key}.${column}`, "a non-empty list of values", values);
      return { column, values: new Set((values as Array<string | number>).map((v) => filterValue(String(v)))) };
    });
  };
  const filters = { exclude: read("exclude"), only: read("only") };
  return filters.exclude.length + filters.only.length > 0 ? filters : undefined;
}

/** `onConflict` (or `--on-conflict`): `wait` belongs to standing campaigns, and is their default (docs/reference.md §16). */
function parseOnConflict(raw: Record<string, unknown>, overrides: CampaignOverrides, standing: boolean, fail: Fail): ConflictPolicy {
  const onConflict = overrides.onConflict ?? raw.onConflict ?? (standing ? "wait" : CAMPAIGN_DEFAULTS.onConflict);
  if (onConflict === "wait" && !standing)
    fail("onConflict", '"skip" or "end-and-retry" ("wait" is for a campaign with a schedule)', onConflict);
  if (onConflict !== "skip" && onConflict !== "end-and-retry" && onConflict !== "wait")
    fail("onConflict", '"skip", "end-and-retry" or, with a schedule, "wait"', onConflict);
  return onConflict as ConflictPolicy;
}

/** A standing campaign sends each reminder's name as the Parameter `reminder`: no column or static parameter may have it. */
function refuseReminderParameter(columns: Campaign["columns"], parameters: Campaign["parameters"], fail: Fail): void {
  const sentAs = (columns.parameters ?? []).map((column) => columns.parameterNames?.[column] ?? column);
  if (sentAs.includes("reminder")) fail("columns.parameters", 'free of "reminder" (each reminder\'s name is sent as it)');
  if ("reminder" in parameters) fail("parameters.reminder", 'left out: each reminder\'s name is sent as "reminder"');
}

/** The campaign's name, its flow and its sender (docs/reference.md §3: required). */
function parseIdentity(raw: Record<string, unknown>, fail: Fail): Pick<Campaign, "name" | "flowSid" | "from"> {
  const name = raw.name;
  if (typeof name !== "string" || !/^[A-Za-z0-9._-]+$/.test(name)) fail("name", "a string of letters, digits, '.', '_' or '-'", name);
  const flowSid = raw.flowSid;
  if (typeof flowSid !== "string" || !/^FW[0-9a-fA-F]{32}$/.test(flowSid)) fail("flowSid", "a Flow SID (FW + 32 hex digits)", flowSid);
  const from = raw.from;
  if (typeof from !== "string" || !isValidSender(from))
    fail("from", "an E.164 number, whatsapp:+E.164, or a Messaging Service SID (MG + 32 hex)", from);
  return { name: name as string, flowSid: flowSid as string, from: from as string };
}

/** The suppression and opt-out lists, resolved against the campaign file's folder. */
/**
 * The suppression file, and the opt-out list (docs/reference.md §12): `optOuts` — a path, or a `postgres://`
 * URL without a password (§15) — else, with the ledger in PostgreSQL, the table in that database
 * (where the ledger is shared, so is the list), else `opt-outs.csv` beside the campaign file.
 */
function parseLists(
  raw: Record<string, unknown>,
  where: { dir: string; ledgerPath: string },
  fail: Fail,
): Pick<Campaign, "suppressPath" | "optOutsLocation"> {
  const suppress = optionalString(raw, "suppress", fail);
  const optOuts = optionalString(raw, "optOuts", fail);
  if (optOuts !== undefined && isPostgresUrl(optOuts) && hasPassword(optOuts))
    throw new CampaignInputError(
      `optOuts: the PostgreSQL URL must not carry a password (a file is shared): give it in PGPASSWORD or ~/.pgpass`,
    );
  const optOutsLocation =
    optOuts !== undefined
      ? isPostgresUrl(optOuts)
        ? optOuts
        : path.resolve(where.dir, optOuts)
      : isPostgresUrl(where.ledgerPath)
        ? where.ledgerPath
        : path.resolve(where.dir, DEFAULT_OPT_OUTS);
  return { suppressPath: suppress === undefined ? undefined : path.resolve(where.dir, suppress), optOutsLocation };
}

function parseRedis(raw: Record<string, unknown>, fail: Fail): string | undefined {
  const redis = optionalString(raw, "redis", fail);
  if (redis !== undefined && !/^rediss?:\/\//.test(redis)) fail("redis", "a redis:// or rediss:// URL");
  return redis;
}

/**
 * The columns of a follow-up's list: the contact, the source row, a standing source's reminder
 * (its list only), then every Parameter.
 */
export const FOLLOW_UP_COLUMNS = {
  to: "to",
  row: "source_row",
  sourceReminder: { key: "source_key", name: "source_reminder", appointmentAt: "source_appointment_at" },
  parameters: undefined,
  from: undefined,
  timezone: undefined,
  notAfter: undefined,
} as const;

function parseFollowUp(raw: Record<string, unknown>, dir: string, fail: Fail): FollowUpRule {
  for (const key of ["contacts", "columns"])
    if (raw[key] !== undefined) fail(key, "left out of a follow-up (its contacts are the source campaign's)");
  const rule = optionalObject(raw, "followUpOf", ["campaign", "outcomes", "after"], fail);
  const source = rule.campaign;
  if (typeof source !== "string" || source === "") fail("followUpOf.campaign", "the source campaign file, relative to this one", source);
  const outcomes = rule.outcomes;
  // Never unknown (nothing says the contact got anything) nor opted_out (the opt-out list would refuse them anyway).
  const allowed: readonly Outcome[] = OUTCOMES.filter((o) => o !== "unknown" && o !== "opted_out");
  if (!Array.isArray(outcomes) || outcomes.length === 0 || !outcomes.every((o) => allowed.includes(o as Outcome)))
    fail("followUpOf.outcomes", `a non-empty array of ${allowed.join(", ")}`, outcomes);
  const afterMs = parseDuration(rule.after);
  if (afterMs === undefined) fail("followUpOf.after", 'a duration such as "30m", "48h" or "2d" (s, m, h, d)', rule.after);
  return {
    campaignPath: path.resolve(dir, source as string),
    outcomes: new Set(outcomes as Outcome[]),
    after: rule.after as string,
    afterMs: afterMs!,
  };
}

/**
 * Where the ledger is (docs/reference.md §2, §15): `--ledger`, else the campaign's `ledger`, else the env
 * `STUDIO_CAMPAIGN_LEDGER_URL`, else `<name>.ledger.jsonl` beside the campaign file. A
 * `postgres://` URL is kept as it is; a path is resolved. A password belongs in the environment
 * (`PGPASSWORD`, `~/.pgpass`, or that env URL), never in a flag (`ps` shows it) or a file.
 */
function ledgerLocation(raw: Record<string, unknown>, dir: string, name: string, flag: string | undefined, fail: Fail): string {
  const configured = raw.ledger;
  if (configured !== undefined && (typeof configured !== "string" || configured === ""))
    fail("ledger", "a ledger path or a postgres:// URL", configured);
  for (const [where, value] of [
    ["--ledger", flag],
    ["ledger", configured],
  ] as const) {
    if (typeof value === "string" && isPostgresUrl(value) && hasPassword(value))
      throw new CampaignInputError(
        `${where}: the PostgreSQL URL must not carry a password (a flag shows in ps, a file is shared): give it in PGPASSWORD, ` +
          `~/.pgpass, or STUDIO_CAMPAIGN_LEDGER_URL`,
      );
  }
  const chosen = flag ?? (configured as string | undefined) ?? envValue(process.env, "STUDIO_CAMPAIGN_LEDGER_URL");
  if (chosen === undefined) return path.join(dir, `${name}.ledger.jsonl`);
  if (isPostgresUrl(chosen)) return chosen;
  return flag !== undefined ? path.resolve(chosen) : path.resolve(dir, chosen);
}

function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== "";
  } catch {
    return false;
  }
}

/** Campaigns kept in one folder share one opt-out list (docs/reference.md §12). */
const DEFAULT_OPT_OUTS = "opt-outs.csv";

type Fail = (key: string, expected: string, got?: unknown) => never;

function parseRate(raw: Record<string, unknown>, overrides: CampaignOverrides, fail: Fail): Campaign["rate"] {
  const rate = optionalObject(
    raw,
    "rate",
    ["perSecond", "concurrency", "senderMps", "messagesPerContact", "maxPerDay", "dayZone", "capKey"],
    fail,
  );
  const perSecond = overrides.rate ?? rate.perSecond ?? CAMPAIGN_DEFAULTS.perSecond;
  if (typeof perSecond !== "number" || !(perSecond > 0) || !Number.isFinite(perSecond))
    fail("rate.perSecond", "a positive number", perSecond);
  const concurrency = overrides.concurrency ?? rate.concurrency ?? CAMPAIGN_DEFAULTS.concurrency;
  if (!isPositiveInteger(concurrency)) fail("rate.concurrency", "a positive integer", concurrency);
  const senderMps = rate.senderMps;
  if (senderMps !== undefined && !(typeof senderMps === "number" && senderMps > 0 && Number.isFinite(senderMps)))
    fail("rate.senderMps", "a positive number of messages per second", senderMps);
  const messagesPerContact = rate.messagesPerContact ?? 1;
  if (!(typeof messagesPerContact === "number" && messagesPerContact >= 1 && Number.isFinite(messagesPerContact))) {
    fail(
      "rate.messagesPerContact",
      "a number ≥ 1 (messages a contact's Execution sends from the sender, segments counted)",
      messagesPerContact,
    );
  }
  const maxPerDay = rate.maxPerDay;
  if (maxPerDay !== undefined && !isPositiveInteger(maxPerDay))
    fail("rate.maxPerDay", "a positive whole number of messages a day", maxPerDay);
  if (maxPerDay !== undefined && (maxPerDay as number) < (messagesPerContact as number))
    fail("rate.maxPerDay", `at least rate.messagesPerContact (${messagesPerContact as number})`, maxPerDay);
  const dayZone = rate.dayZone ?? CAMPAIGN_DEFAULTS.dayZone;
  if (typeof dayZone !== "string" || !isTimeZone(dayZone)) fail("rate.dayZone", 'an IANA time zone such as "America/Los_Angeles"', dayZone);
  const capKey = rate.capKey;
  if (capKey !== undefined && (typeof capKey !== "string" || !/^[A-Za-z0-9._:-]+$/.test(capKey)))
    fail("rate.capKey", "a name of letters, digits, '.', '_', ':' or '-' (a brand's cap, shared through Redis)", capKey);
  if ((rate.dayZone !== undefined || capKey !== undefined) && maxPerDay === undefined)
    fail(rate.dayZone !== undefined ? "rate.dayZone" : "rate.capKey", "used with rate.maxPerDay", rate.dayZone ?? capKey);
  return {
    perSecond: perSecond as number,
    concurrency: concurrency as number,
    senderMps: senderMps as number | undefined,
    messagesPerContact: messagesPerContact as number,
    maxPerDay: maxPerDay as number | undefined,
    dayZone: dayZone as string,
    capKey: capKey as string | undefined,
  };
}

function parseRetry(raw: Record<string, unknown>, fail: Fail): Campaign["retry"] {
  const retry = optionalObject(raw, "retry", ["maxAttempts", "maxRetryAfter"], fail);
  const maxAttempts = retry.maxAttempts ?? CAMPAIGN_DEFAULTS.maxAttempts;
  if (!isPositiveInteger(maxAttempts)) fail("retry.maxAttempts", "a positive integer", maxAttempts);
  const maxRetryAfter = retry.maxRetryAfter ?? CAMPAIGN_DEFAULTS.maxRetryAfterSeconds;
  if (typeof maxRetryAfter !== "number" || !(maxRetryAfter > 0) || !Number.isFinite(maxRetryAfter)) {
    fail("retry.maxRetryAfter", "a positive number of seconds", maxRetryAfter);
  }
  return { maxAttempts: maxAttempts as number, maxRetryAfterMs: (maxRetryAfter as number) * 1000 };
}

function parseColumns(raw: Record<string, unknown>, fail: Fail): Campaign["columns"] {
  const columns = optionalObject(raw, "columns", ["to", "parameters", "from", "timezone", "notAfter", "locale"], fail);
  const toColumn = columns.to ?? CAMPAIGN_DEFAULTS.toColumn;
  if (typeof toColumn !== "string" || toColumn === "") fail("columns.to", "a column name", toColumn);
  const { columns: parameterColumns, names: parameterNames } = parseParameterColumns(columns.parameters, fail);
  for (const key of ["from", "timezone", "notAfter", "locale"] as const) {
    const value = columns[key];
    if (value !== undefined && (typeof value !== "string" || value === "")) fail(`columns.${key}`, "a column name", value);
  }
  return {
    to: toColumn as string,
    parameters: parameterColumns as string[] | undefined,
    from: columns.from as string | undefined,
    timezone: columns.timezone as string | undefined,
    notAfter: columns.notAfter as string | undefined,
    locale: columns.locale as string | undefined,
    ...(parameterNames ? { parameterNames } : {}),
  };
}

/**
 * `columns.parameters`: the columns sent as Parameters — a list (each under its own name), or an
 * object of Parameter name → column (docs/reference.md §17: `{"first_name": "Patient First"}`).
 */
function parseParameterColumns(value: unknown, fail: Fail): { columns: string[] | undefined; names: Record<string, string> | undefined } {
  if (value === undefined) return { columns: undefined, names: undefined };
  if (Array.isArray(value) && value.every((c) => typeof c === "string")) return { columns: value as string[], names: undefined };
  if (!isObject(value)) return fail("columns.parameters", "a list of columns, or an object of Parameter name → column", value);
  const names: Record<string, string> = {};
  for (const [name, column] of Object.entries(value)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      fail(`columns.parameters.${name}`, "a Parameter name of letters, digits and _ (not starting with a digit)");
    if (typeof column !== "string" || column === "") fail(`columns.parameters.${name}`, "a column name", column);
    names[column as string] = name;
  }
  return { columns: Object.keys(names), names };
}

function parseParameters(raw: Record<string, unknown>, fail: Fail): Campaign["parameters"] {
  const parameters = raw.parameters ?? {};
  if (!isObject(parameters)) fail("parameters", "an object of static values");
  for (const [key, value] of Object.entries(parameters as Record<string, unknown>)) {
    if (!["string", "number", "boolean"].includes(typeof value)) fail(`parameters.${key}`, "a string, number or boolean", value);
  }
  return parameters as Record<string, string | number | boolean>;
}

function parseResults(raw: unknown, fail: Fail): ResultsColumn[] {
  if (!isObject(raw)) return fail("results", "an object of report column → path into the Execution Context");
  const reserved = new Set<string>([...REPORT_COLUMNS, ...REMINDER_COLUMNS, ...REPLY_COLUMNS]);
  return Object.entries(raw).map(([name, path]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(`results.${name}`, "named by letters, digits and '_' (not starting with a digit)");
    if (reserved.has(name)) fail(`results.${name}`, "named unlike the report's own columns");
    if (typeof path !== "string" || !/^[^.\s]+(\.[^.\s]+)*$/.test(path))
      fail(`results.${name}`, 'a dotted path such as "widgets.ask_rating.inbound.Body"', path);
    return { name, path: path as string };
  });
}

function parseWindow(raw: unknown, fail: Fail): SendWindow {
  if (!isObject(raw)) return fail("window", "an object with timezone, start, end and days");
  const keys = ["timezone", "fallbackTimezone", "start", "end", "days"];
  for (const key of Object.keys(raw)) if (!keys.includes(key)) fail(`window.${key}`, `one of ${keys.join(", ")} (unknown key)`);
  const recipient = raw.timezone === "recipient";
  const fallback = raw.fallbackTimezone;
  if (fallback !== undefined && (typeof fallback !== "string" || !isTimeZone(fallback)))
    fail("window.fallbackTimezone", 'an IANA time zone such as "America/Chicago"', fallback);
  if (fallback !== undefined && !recipient) fail("window.fallbackTimezone", 'used only with "timezone": "recipient"', fallback);
  const timezone = recipient ? (fallback ?? "UTC") : raw.timezone;
  if (typeof timezone !== "string" || !isTimeZone(timezone))
    fail("window.timezone", 'an IANA time zone such as "America/New_York", or "recipient"', timezone);
  const startMinute = parseClock(raw.start) ?? fail("window.start", 'a time "HH:MM"', raw.start);
  const endMinute = parseClock(raw.end) ?? fail("window.end", 'a time "HH:MM"', raw.end);
  if (endMinute <= startMinute) fail("window.end", `later than window.start (${String(raw.start)})`, raw.end);
  const days = raw.days ?? [...WEEKDAYS];
  if (!Array.isArray(days) || days.length === 0 || !days.every((d) => WEEKDAYS.includes(d as Weekday))) {
    fail("window.days", `a non-empty array of ${WEEKDAYS.join(", ")}`, days);
  }
  return {
    timezone: timezone as string,
    recipient,
    fallbackTimezone: fallback as string | undefined,
    startMinute,
    endMinute,
    days: new Set(days as Weekday[]),
  };
}

function parseClock(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(value);
  if (!match) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= 24 * 60 ? minutes : undefined;
}

function optionalString(raw: Record<string, unknown>, key: string, fail: Fail): string | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") return fail(key, "a non-empty string", value);
  return value;
}

function optionalObject(raw: Record<string, unknown>, key: string, allowed: string[], fail: Fail): Record<string, unknown> {
  const value = raw[key];
  if (value === undefined) return {};
  if (!isObject(value)) return fail(key, "an object");
  for (const inner of Object.keys(value))
    if (!allowed.includes(inner)) fail(`${key}.${inner}`, `one of ${allowed.join(", ")} (unknown key)`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}
