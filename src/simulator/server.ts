import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { seededRandom } from "./random.js";
import { ExecutionStore, type StoredExecution } from "./store.js";
import { SlidingWindow } from "./rate-window.js";
import { errorBody, executionResource, messageResource, twilioDate, type MessageRecord, type TwilioError } from "./resource.js";
import { defaultFlow, executionContext, flowResource, playFlow } from "./flows.js";
import { isTwilioError, parseCreateRequest, parseDateFilter } from "./validation.js";
import { isLoopbackHost } from "../studio/base-url.js";
import { DEFAULT_SIMULATOR_ACCOUNT, SIMULATOR_DEFAULTS, type CreateEvent, type SimulatorOptions } from "./options.js";

export interface SimulatorStats {
  created: number;
  conflicts: number;
  rateLimited: number;
  unauthorized: number;
  faults: { failed: number; reset: number; droppedAfterCommit: number };
  /** Requests answered 429 by the concurrency cap (`maxConcurrentRequests`). */
  concurrencyLimited: number;
  /** Answered GETs of the flow side: Flow/Revision, Execution Context, Steps. */
  requests: { flow: number; context: number; steps: number; list: number; message: number; messageList: number };
  /** The Execution SID of every answered Context request, in order. */
  contextSids: string[];
  /** Arrival times (ms) of every accepted create, for checking the rate from outside. */
  createTimes: number[];
  /** Arrival times (ms) of every create request that reached the rate check, accepted or not. */
  createArrivals: number[];
  /** Arrival times (ms) of the creates answered 429 by the rate limit. */
  rateLimitedTimes: number[];
}

export interface Simulator {
  readonly url: string;
  readonly port: number;
  readonly stats: SimulatorStats;
  /** Every Execution created and not deleted, oldest first. */
  executions(): StoredExecution[];
  /** Change latency and fault rates while running (tests: an outage that ends). */
  configure(
    changes: Pick<SimulatorOptions, "latencyMs" | "failRate" | "failStatus" | "resetRate" | "dropAfterCommitRate" | "onCreate">,
  ): void;
  close(): Promise<void>;
}

const CREATE_ROUTE = /^\/v2\/Flows\/[^/]+\/Executions\/?(\?|$)/;
const EXECUTIONS_ROUTE = /^\/v2\/Flows\/([^/]+)\/Executions(?:\/([^/]+))?\/?$/;
const EXECUTION_PART_ROUTE = /^\/v2\/Flows\/([^/]+)\/Executions\/([^/]+)\/(Context|Steps)\/?$/;
const FLOW_ROUTE = /^\/v2\/Flows\/([^/]+)(?:\/Revisions\/([^/]+))?\/?$/;
const MESSAGE_ROUTE = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/;
const MESSAGES_ROUTE = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const FLOW_SID = /^FW[0-9a-fA-F]{32}$/;
const EXECUTION_SID = /^FN[0-9a-fA-F]{32}$/;

/** A local Studio v2 Executions server (docs/reference.md §8). Loopback only. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const settings = { ...SIMULATOR_DEFAULTS, ...options };
  if (!isLoopbackHost(settings.host)) throw new Error(`the simulator listens on loopback only, not ${settings.host}`);
  const random = seededRandom(settings.seed);
  const store = new ExecutionStore({ random, autoEndMs: settings.autoEndMs });
  const windows = new Map<string, SlidingWindow>();
  const definedFlows = new Map((settings.flowDefinitions ?? []).map((flow) => [flow.sid, flow]));
  const knownFlows = settings.flows || definedFlows.size > 0 ? new Set([...(settings.flows ?? []), ...definedFlows.keys()]) : undefined;
  let inFlight = 0;
  const hookCounts = { arrived: 0, committed: 0 };
  /** Programmable Messaging's Message resources of the played flows, by SID. */
  const messages = new Map<string, MessageRecord>();
  /** To|From pairs whose contact replied an opt-out keyword: Twilio refuses that sender's messages (21610). */
  const blocked = new Set<string>((settings.optedOutAtSender ?? []).map(({ to, from }) => `${to}|${from}`));
  const rejectTo = new Set(settings.rejectTo ?? []);
  const stats: SimulatorStats = {
    created: 0,
    conflicts: 0,
    rateLimited: 0,
    unauthorized: 0,
    faults: { failed: 0, reset: 0, droppedAfterCommit: 0 },
    concurrencyLimited: 0,
    requests: { flow: 0, context: 0, steps: 0, list: 0, message: 0, messageList: 0 },
    contextSids: [],
    createTimes: [],
    createArrivals: [],
    rateLimitedTimes: [],
  };

  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    inFlight++;
    try {
      await handleCounted(req, res);
    } finally {
      inFlight--;
    }
  }

  async function handleCounted(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrival = Date.now(); // a strict server counts arrivals: before reading the body
    const body = await readBody(req);
    if (settings.maxConcurrentRequests !== undefined && inFlight > settings.maxConcurrentRequests) {
      stats.concurrencyLimited++;
      const outcome = fail({ status: 429, code: 20429, message: "Too many requests" });
      send(res, outcome.status, outcome.body, outcome.headers);
      return;
    }
    if (random() < settings.resetRate) {
      stats.faults.reset++;
      req.socket.destroy();
      return;
    }
    if (settings.onCreate && req.method === "POST" && CREATE_ROUTE.test(req.url ?? "")) {
      const to = new URLSearchParams(body).get("To") ?? "";
      await settings.onCreate({ stage: "arrived", count: ++hookCounts.arrived, to });
    }
    const outcome = route(req, body, arrival);
    if (outcome.created && settings.onCreate) await settings.onCreate({ ...outcome.created, count: ++hookCounts.committed });
    if (settings.latencyMs > 0) await sleep(settings.latencyMs);
    if (outcome.dropAfterCommit) {
      stats.faults.droppedAfterCommit++;
      req.socket.destroy();
      return;
    }
    send(res, outcome.status, outcome.body, outcome.headers);
  }

  type Outcome = {
    status: number;
    body?: unknown;
    headers?: Record<string, string>;
    dropAfterCommit?: boolean;
    /** A create that made its Execution: for the `onCreate` hook, once the request is routed. */
    created?: Omit<CreateEvent, "count">;
  };

  function route(req: IncomingMessage, rawBody: string, now: number): Outcome {
    const account = authenticate(req.headers.authorization);
    if (account === undefined) {
      stats.unauthorized++;
      return fail({ status: 401, code: 20003, message: "Authenticate" });
    }
    if (random() < settings.failRate) {
      stats.faults.failed++;
      return settings.failStatus === 503
        ? fail({ status: 503, code: 20503, message: "Service Unavailable" })
        : fail({ status: 500, code: 20500, message: "Internal Server Error" });
    }
    const url = new URL(req.url ?? "/", "http://simulator");
    const origin = `http://${req.headers.host ?? "127.0.0.1"}`;
    const listMatch = MESSAGES_ROUTE.exec(url.pathname);
    if (listMatch) return req.method === "GET" ? listMessages(account, listMatch[1] ?? "", url) : methodNotAllowed();
    const messageMatch = MESSAGE_ROUTE.exec(url.pathname);
    if (messageMatch)
      return req.method === "GET" ? getMessage(account, messageMatch[1] ?? "", messageMatch[2] ?? "", url.pathname) : methodNotAllowed();
    const flowMatch = FLOW_ROUTE.exec(url.pathname);
    if (flowMatch)
      return req.method === "GET" ? getFlow(account, flowMatch[1] ?? "", flowMatch[2], url.pathname, origin) : methodNotAllowed();
    const partMatch = EXECUTION_PART_ROUTE.exec(url.pathname);
    if (partMatch) {
      const [, partFlow = "", partSid = "", part] = partMatch;
      const execution = flowExists(partFlow) && EXECUTION_SID.test(partSid) ? store.get(account, partFlow, partSid) : undefined;
      if (!execution) return notFound(url.pathname);
      if (req.method !== "GET") return methodNotAllowed();
      stats.requests[part === "Context" ? "context" : "steps"]++;
      if (part === "Context") stats.contextSids.push(execution.sid);
      return ok(200, part === "Context" ? contextResource(execution, now, origin) : stepsResource(execution, now, origin));
    }
    const match = EXECUTIONS_ROUTE.exec(url.pathname);
    const flowSid = match?.[1];
    const sid = match?.[2];
    if (!flowSid || !flowExists(flowSid)) return notFound(url.pathname);
    const form = isForm(req) ? new URLSearchParams(rawBody) : new URLSearchParams();
    if (sid === undefined) {
      if (req.method === "POST") return create(account, flowSid, form, now, origin);
      if (req.method === "GET") {
        stats.requests.list++;
        return list(account, flowSid, url, now, origin);
      }
      return methodNotAllowed();
    }
    const execution = EXECUTION_SID.test(sid) ? store.get(account, flowSid, sid) : undefined;
    if (!execution) return notFound(url.pathname);
    if (req.method === "GET") return ok(200, executionResource(execution, store.statusOf(execution, now), origin));
    if (req.method === "DELETE") {
      store.delete(execution);
      return { status: 204 };
    }
    if (req.method === "POST") return update(execution, form, now, origin);
    return methodNotAllowed();
  }

  function create(account: string, flowSid: string, form: URLSearchParams, now: number, origin: string): Outcome {
    const request = parseCreateRequest(form);
    if (isTwilioError(request)) return fail(request);
    if (rejectTo.has(request.to)) return fail({ status: 400, code: 21211, message: `Invalid 'To' Phone Number: ${request.to}` });
    stats.createArrivals.push(now);
    if (settings.rate > 0) {
      let window = windows.get(account);
      if (!window) windows.set(account, (window = new SlidingWindow(settings.rate)));
      const admission = window.tryAcquire(now);
      if (!admission.accepted) {
        stats.rateLimited++;
        stats.rateLimitedTimes.push(now);
        return fail(
          { status: 429, code: 20429, message: "Too Many Requests" },
          { "retry-after": settings.retryAfter ?? String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000))) },
        );
      }
    }
    const flow = definedFlows.get(flowSid);
    const pair = `${request.to}|${request.from}`;
    const play = flow
      ? {
          ...playFlow(flow, {
            to: request.to,
            from: request.from,
            data: request.parameters ?? {},
            replyRate: settings.replyRate,
            undeliveredRate: settings.undeliveredRate,
            optOutRate: settings.optOutRate,
            seed: settings.seed,
            blocked: blocked.has(pair),
            scripted: settings.scriptedReplies?.[request.to],
          }),
          endsAt: now + settings.surveyMs,
        }
      : undefined;
    const result = store.create({ accountSid: account, flowSid, ...request, now, play });
    if ("created" in result && settings.log) {
      const execution = result.created.sid;
      const at = new Date(now).toISOString();
      settings.log({ t: "create", at, execution, flow: flowSid, to: request.to, from: request.from, parameters: request.parameters ?? {} });
      for (const step of play?.steps ?? [])
        if (step.outbound)
          settings.log({
            t: "message",
            at,
            execution,
            widget: step.widget,
            to: request.to,
            body: step.outbound.Body,
            status: step.outbound.Status,
          });
    }
    if ("created" in result) {
      for (const step of play?.steps ?? []) {
        if (step.optedOut) blocked.add(pair);
        const sid = step.outbound?.Sid;
        if (typeof sid === "string")
          messages.set(sid, {
            sid,
            account,
            to: request.to,
            from: request.from,
            body: String(step.outbound?.Body ?? ""),
            at: now,
            errorCode: step.errorCode,
          });
      }
    }
    if ("created" in result)
      for (const [i, late] of (settings.scriptedReplies?.[request.to]?.late ?? []).entries()) {
        const sid = `SM${createHash("sha256").update(`${result.created.sid}|late|${i}`).digest("hex").slice(0, 32)}`;
        messages.set(sid, {
          sid,
          account,
          to: request.from,
          from: request.to,
          body: late.body,
          at: now + late.afterMs,
          errorCode: undefined,
          inbound: true,
        });
      }
    if ("conflict" in result) {
      stats.conflicts++;
      const conflicting = result.conflict.sid;
      return fail({
        status: 409,
        code: 20409,
        message: `Execution ${conflicting} is already active for this contact. End the active Execution before creating a new one`,
        details: { conflicting_execution_sid: conflicting },
      });
    }
    stats.created++;
    stats.createTimes.push(now);
    const outcome = {
      ...ok(201, executionResource(result.created, "active", origin)),
      created: { stage: "committed" as const, to: request.to, sid: result.created.sid },
    };
    return random() < settings.dropAfterCommitRate ? { ...outcome, dropAfterCommit: true } : outcome;
  }

  function update(execution: StoredExecution, form: URLSearchParams, now: number, origin: string): Outcome {
    for (const key of form.keys()) {
      if (key !== "Status") return fail({ status: 400, code: 20001, message: `Unknown parameter: ${key}` });
    }
    const status = form.get("Status");
    if (status !== "ended") return fail({ status: 400, code: 20001, message: "Status must be 'ended'" });
    if (!store.end(execution, now)) {
      return fail({ status: 409, code: 20409, message: `Execution ${execution.sid} has already ended` });
    }
    return ok(200, executionResource(execution, "ended", origin));
  }

  function list(account: string, flowSid: string, url: URL, now: number, origin: string): Outcome {
    const q = url.searchParams;
    const pageSizeRaw = q.get("PageSize");
    const pageSize = pageSizeRaw === null ? 50 : Number(pageSizeRaw);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
      return fail({ status: 400, code: 20001, message: `Invalid PageSize: ${pageSizeRaw}` });
    }
    const createdFrom = parseDateFilter(q.get("DateCreatedFrom"), "DateCreatedFrom");
    if (isTwilioError(createdFrom)) return fail(createdFrom);
    const createdTo = parseDateFilter(q.get("DateCreatedTo"), "DateCreatedTo");
    if (isTwilioError(createdTo)) return fail(createdTo);
    const status = q.get("status");
    if (status !== null && status !== "active" && status !== "ended") {
      return fail({ status: 400, code: 20001, message: `Invalid status: ${status}` });
    }
    const token = q.get("PageToken");
    const beforeSeq = token === null ? undefined : Number.parseInt(token.replace(/^PT/, ""), 16);
    if (beforeSeq !== undefined && !Number.isFinite(beforeSeq)) {
      return fail({ status: 400, code: 20001, message: `Invalid PageToken: ${token}` });
    }
    const page = store.list(
      {
        flowSid,
        accountSid: account,
        pageSize,
        ...(createdFrom !== undefined ? { createdFrom } : {}),
        ...(createdTo !== undefined ? { createdTo } : {}),
        ...(status !== null ? { status } : {}),
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
      },
      now,
    );
    const pageIndex = Number(q.get("Page") ?? "0") || 0;
    const pageUrl = (index: number, extra: Record<string, string>) => {
      const next = new URLSearchParams(q);
      next.set("PageSize", String(pageSize));
      next.set("Page", String(index));
      next.delete("PageToken");
      for (const [key, value] of Object.entries(extra)) next.set(key, value);
      return `${origin}${url.pathname}?${next.toString()}`;
    };
    const last = page.items.at(-1);
    return ok(200, {
      executions: page.items.map((execution) => executionResource(execution, store.statusOf(execution, now), origin)),
      meta: {
        page: pageIndex,
        page_size: pageSize,
        first_page_url: pageUrl(0, {}),
        previous_page_url: null,
        url: pageUrl(pageIndex, token === null ? {} : { PageToken: token }),
        next_page_url: page.more && last ? pageUrl(pageIndex + 1, { PageToken: `PT${last.seq.toString(16)}` }) : null,
        key: "executions",
      },
    });
  }

  /**
   * `GET /2010-04-01/Accounts/{AccountSid}/Messages.json`: `To`, `From` and `DateSent>` (a date:
   * sent on or after that day, UTC) filter; newest first; `PageSize` (default 50) and `Page`.
   */
  function listMessages(account: string, accountSid: string, url: URL): Outcome {
    if (accountSid !== account) return notFound(url.pathname);
    stats.requests.messageList++;
    const query = url.searchParams;
    const [to, from, after] = [query.get("To"), query.get("From"), query.get("DateSent>")];
    const since = after === null ? -Infinity : Date.parse(after.length === 10 ? `${after}T00:00:00Z` : after);
    const size = Math.min(1000, Math.max(1, Number(query.get("PageSize") ?? 50) || 50));
    const page = Math.max(0, Number(query.get("Page") ?? 0) || 0);
    const found = [...messages.values()]
      .filter((m) => m.account === account && (to === null || m.to === to) && (from === null || m.from === from) && m.at >= since)
      .sort((a, b) => b.at - a.at);
    const slice = found.slice(page * size, (page + 1) * size);
    const uri = (p: number) => {
      const next = new URLSearchParams(query);
      next.set("Page", String(p));
      next.set("PageSize", String(size));
      return `/2010-04-01/Accounts/${account}/Messages.json?${next.toString()}`;
    };
    return ok(200, {
      messages: slice.map(messageResource),
      page,
      page_size: size,
      first_page_uri: uri(0),
      uri: uri(page),
      previous_page_uri: page > 0 ? uri(page - 1) : null,
      next_page_uri: (page + 1) * size < found.length ? uri(page + 1) : null,
      start: page * size,
      end: page * size + slice.length - 1,
    });
  }

  /** `GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json` (messages-resource.md). */
  function getMessage(account: string, accountSid: string, sid: string, pathname: string): Outcome {
    const message = messages.get(sid);
    if (accountSid !== account || !message || message.account !== account) return notFound(pathname);
    stats.requests.message++;
    return ok(200, messageResource(message));
  }

  function flowExists(flowSid: string): boolean {
    return FLOW_SID.test(flowSid) && (knownFlows === undefined || knownFlows.has(flowSid));
  }

  function getFlow(account: string, flowSid: string, revision: string | undefined, pathname: string, origin: string): Outcome {
    if (!flowExists(flowSid)) return notFound(pathname);
    stats.requests.flow++;
    const flow = definedFlows.get(flowSid) ?? defaultFlow(flowSid);
    const which =
      revision === undefined || revision === "LatestRevision" ? "latest" : revision === "LatestPublished" ? "published" : Number(revision);
    if (typeof which === "number" && !(Number.isInteger(which) && which > 0)) return notFound(pathname);
    const resource = flowResource(flow, account, origin, which);
    return resource ? ok(200, resource) : notFound(pathname);
  }

  /** `…/Executions/{Sid}/Context`: while active, the questions asked so far and no replies yet. */
  function contextResource(execution: StoredExecution, now: number, origin: string) {
    const ended = store.statusOf(execution, now) === "ended";
    const steps = (execution.steps ?? []).map(({ inbound, ...asked }) => (ended && inbound ? { ...asked, inbound } : asked));
    const url = `${origin}/v2/Flows/${execution.flowSid}/Executions/${execution.sid}/Context`;
    const context = executionContext(
      { to: execution.to, from: execution.from, data: execution.parameters ?? {}, variables: execution.variables },
      ended ? steps : steps.slice(0, 2), // the trigger, and the first question
    );
    return { account_sid: execution.accountSid, context, flow_sid: execution.flowSid, execution_sid: execution.sid, url };
  }

  /** `…/Executions/{Sid}/Steps`: newest first, one page (an Execution has at most 1 000 steps). */
  function stepsResource(execution: StoredExecution, now: number, origin: string) {
    const ended = store.statusOf(execution, now) === "ended";
    const played = ended ? (execution.steps ?? []) : (execution.steps ?? []).slice(0, 0);
    const base = `${origin}/v2/Flows/${execution.flowSid}/Executions/${execution.sid}/Steps`;
    const steps = played
      .map((step, i) => ({
        sid: `FT${execution.sid.slice(2, 26)}${i.toString(16).padStart(8, "0")}`,
        account_sid: execution.accountSid,
        flow_sid: execution.flowSid,
        execution_sid: execution.sid,
        parent_step_sid: null,
        name: step.event,
        context: {},
        transitioned_from: step.widget,
        transitioned_to: step.next ?? "Ended",
        // Spread over the survey: a reply comes after its question (the report's answers over time).
        date_created: twilioDate(stepTime(execution, i, played.length)),
        date_updated: twilioDate(stepTime(execution, i, played.length)),
        url: `${base}/FT${i}`,
        links: { step_context: `${base}/FT${i}/Context` },
      }))
      .reverse();
    return {
      steps,
      meta: {
        page: 0,
        page_size: 50,
        first_page_url: `${base}?PageSize=50&Page=0`,
        previous_page_url: null,
        url: `${base}?PageSize=50&Page=0`,
        next_page_url: null,
        key: "steps",
      },
    };
  }

  function authenticate(header: string | undefined): string | undefined {
    const match = /^Basic\s+(.+)$/i.exec(header ?? "");
    if (!match?.[1]) return undefined;
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon <= 0) return undefined;
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (settings.credentials) {
      const found = settings.credentials.find((c) => c.username === username && c.password === password);
      if (!found) return undefined;
      return found.accountSid ?? (username.startsWith("AC") ? username : DEFAULT_SIMULATOR_ACCOUNT);
    }
    return username.startsWith("AC") ? username : DEFAULT_SIMULATOR_ACCOUNT;
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${settings.host}:${port}`,
    port,
    stats,
    executions: () => store.all(),
    configure: (changes) => Object.assign(settings, changes),
    close: () => closeServer(server),
  };
}

/** When the i-th of n played steps happened: spread from the Execution's creation to its end. */
function stepTime(execution: StoredExecution, i: number, n: number): number {
  const end = execution.endedAt ?? execution.createdAt;
  return n <= 1 ? execution.createdAt : execution.createdAt + ((end - execution.createdAt) * i) / (n - 1);
}

function ok(status: number, body: unknown) {
  return { status, body };
}

function fail(error: TwilioError, headers?: Record<string, string>) {
  return { status: error.status, body: errorBody(error), ...(headers ? { headers } : {}) };
}

function notFound(path: string) {
  return fail({ status: 404, code: 20404, message: `The requested resource ${path} was not found` });
}

function methodNotAllowed() {
  return fail({ status: 405, code: 20004, message: "Method not allowed" });
}

function isForm(req: IncomingMessage): boolean {
  return (req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
