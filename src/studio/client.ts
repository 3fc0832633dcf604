import type { Dispatcher, Pool as UndiciPool } from "undici";
import type { Credentials } from "./credentials.js";
import { DEFAULT_API_URL, parseBaseUrl } from "./base-url.js";
import { classifyTransportFailure } from "./delivery.js";
import { StudioApiError, StudioTransportError, type HttpMethod, type TwilioErrorBody } from "./errors.js";
import { parseRetryAfter } from "./retry-after.js";
import { loadPool } from "./undici-pool.js";
import {
  EXECUTION_SID_PATTERN,
  FLOW_SID_PATTERN,
  type CreateExecutionInput,
  type Execution,
  type ExecutionContextResource,
  type FlowResource,
  type FlowRevisionRef,
  type ExecutionPage,
  type ListExecutionsInput,
  ACCOUNT_SID_PATTERN,
  MESSAGE_SID_PATTERN,
  type MessageResource,
  type MessagePage,
  type StepPage,
} from "./types.js";

export interface StudioClientOptions {
  baseUrl: string;
  credentials: Credentials;
  /** Keep-alive connections in the pool: size it to the request concurrency. Default 10. */
  connections?: number;
  /** Per-request budget for the answer's headers and for each body chunk, ms. Default 15 000. */
  timeoutMs?: number;
  /** Budget for opening a connection (TCP + TLS), ms. Default 10 000. */
  connectTimeoutMs?: number;
  userAgent?: string;
  /**
   * Programmable Messaging's base URL, for a failed message's error code (docs/reference.md §12): `--api-url`,
   * env `TWILIO_API_BASE_URL`. Default https://api.twilio.com.
   */
  apiBaseUrl?: string;
}

const Pool = loadPool();
type Pool = UndiciPool;

const DEFAULTS = { connections: 10, timeoutMs: 15_000, connectTimeoutMs: 10_000, userAgent: "studio-campaign" } as const;
const MAX_PAGE_SIZE = 1000;

/**
 * The requests of Studio v2 (Executions: create, fetch, list, end, delete; a Flow and its
 * revisions; an Execution's Context and Steps) and Programmable Messaging's Message, over
 * keep-alive undici pools.
 * Failures throw `StudioApiError` (an HTTP answer) or `StudioTransportError` (no answer, with
 * whether the request may have been processed). The client never retries: that is the caller's
 * decision, because a create is not idempotent.
 */
export class StudioClient {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #credentials: Credentials;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #api: { origin: string; basePath: string; connections: number; connectTimeoutMs: number };
  #apiPool: Pool | undefined;

  constructor(options: StudioClientOptions) {
    const base = parseBaseUrl(options.baseUrl);
    this.#basePath = base.pathname.replace(/\/+$/, "");
    this.#credentials = options.credentials;
    this.#timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.#userAgent = options.userAgent ?? DEFAULTS.userAgent;
    this.#pool = new Pool(base.origin, {
      connections: options.connections ?? DEFAULTS.connections,
      pipelining: 1,
      connect: { timeout: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs },
      keepAliveTimeout: 30_000,
    });
    const api = parseBaseUrl(options.apiBaseUrl ?? DEFAULT_API_URL);
    this.#api = {
      origin: api.origin,
      basePath: api.pathname.replace(/\/+$/, ""),
      connections: options.connections ?? DEFAULTS.connections,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    };
  }

  async createExecution(flowSid: string, input: CreateExecutionInput): Promise<Execution> {
    const form = new URLSearchParams({ To: input.to, From: input.from });
    if (input.parameters !== undefined) form.set("Parameters", JSON.stringify(input.parameters));
    return this.#json<Execution>("POST", this.#executionsPath(flowSid), form);
  }

  async fetchExecution(flowSid: string, sid: string): Promise<Execution> {
    return this.#json<Execution>("GET", this.#executionPath(flowSid, sid));
  }

  /** `POST …/Executions/{Sid}` with `Status=ended`. A 409 means it had already ended. */
  async endExecution(flowSid: string, sid: string): Promise<Execution> {
    return this.#json<Execution>("POST", this.#executionPath(flowSid, sid), new URLSearchParams({ Status: "ended" }));
  }

  /** `GET /v2/Flows/{Sid}`: the flow's latest revision (possibly an unpublished draft). */
  async fetchFlow(flowSid: string): Promise<FlowResource> {
    return this.#json<FlowResource>("GET", this.#flowPath(flowSid));
  }

  /** `GET /v2/Flows/{Sid}/Revisions/{Revision}`; `LatestPublished` is what REST API Executions run. */
  async fetchFlowRevision(flowSid: string, revision: FlowRevisionRef): Promise<FlowResource> {
    if (typeof revision === "number" && !(Number.isInteger(revision) && revision > 0)) throw new RangeError(`not a revision: ${revision}`);
    return this.#json<FlowResource>("GET", `${this.#flowPath(flowSid)}/Revisions/${revision}`);
  }

  /** `GET /v2/Flows/{FlowSid}/Executions/{Sid}/Context`: what the contact did in the flow. */
  async fetchExecutionContext(flowSid: string, sid: string): Promise<ExecutionContextResource> {
    return this.#json<ExecutionContextResource>("GET", `${this.#executionPath(flowSid, sid)}/Context`);
  }

  /**
   * `GET …/Executions/{Sid}/Steps?PageSize=1000`: the events that moved the flow, newest first. An
   * Execution has at most 1 000 Steps (studio-facts.md), so one page holds them all.
   */
  async fetchExecutionSteps(flowSid: string, sid: string): Promise<StepPage> {
    return this.#json<StepPage>("GET", `${this.#executionPath(flowSid, sid)}/Steps?PageSize=${MAX_PAGE_SIZE}`);
  }

  /**
   * Programmable Messaging's `GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json`: a
   * message's `status` and `error_code` (messages-resource.md).
   */
  async fetchMessage(accountSid: string, messageSid: string): Promise<MessageResource> {
    if (!MESSAGE_SID_PATTERN.test(messageSid)) throw new RangeError(`not a Message SID: ${JSON.stringify(messageSid)}`);
    return this.#json<MessageResource>("GET", `${this.#messagesPath(accountSid)}/${messageSid}.json`, undefined, this.#messagesPool());
  }

  /**
   * The Messages list (`GET /2010-04-01/Accounts/{AccountSid}/Messages.json`), newest first, one
   * page at a time following `next_page_uri`, each page's GET run by `read` (the caller's retry).
   * `DateSent>` with a date is Twilio's "sent on or after that day" (`DateSent>=YYYY-MM-DD` on the
   * wire, as twilio-node's `dateSentAfter` sends it): a late reply is looked for from the day its
   * Execution was created (docs/reference.md §19).
   */
  async *listMessagePages(
    accountSid: string,
    /** `to` undefined: any of the account's numbers (a Messaging Service sender's replies are told by `messaging_service_sid`). */
    filter: { to: string | undefined; from: string; sentOnOrAfter: Date; pageSize?: number },
    read: (request: () => Promise<MessagePage>) => Promise<MessagePage> = (request) => request(),
  ): AsyncGenerator<MessagePage> {
    const query = new URLSearchParams({
      ...(filter.to !== undefined ? { To: filter.to } : {}),
      From: filter.from,
      "DateSent>": filter.sentOnOrAfter.toISOString().slice(0, 10),
      PageSize: String(filter.pageSize ?? 50),
    });
    let path: string | undefined = `${this.#messagesPath(accountSid)}.json?${query.toString()}`;
    while (path !== undefined) {
      const pagePath: string = path;
      const page: MessagePage = await read(() => this.#json<MessagePage>("GET", pagePath, undefined, this.#messagesPool()));
      yield page;
      // Credentials go to our API origin only: of a next page we keep the path and query.
      path = page.next_page_uri ? this.#apiPath(page.next_page_uri) : undefined;
    }
  }

  #apiPath(uri: string): string {
    const url = new URL(uri, "http://placeholder");
    return this.#api.basePath + url.pathname + url.search;
  }

  /** Programmable Messaging's own base URL and pool, made on first use: most passes fetch no Message at all. */
  #messagesPool(): Pool {
    return (this.#apiPool ??= new Pool(this.#api.origin, {
      connections: this.#api.connections,
      pipelining: 1,
      connect: { timeout: this.#api.connectTimeoutMs },
      keepAliveTimeout: 30_000,
    }));
  }

  #messagesPath(accountSid: string): string {
    if (!ACCOUNT_SID_PATTERN.test(accountSid)) throw new RangeError(`not an Account SID: ${JSON.stringify(accountSid)}`);
    return `${this.#api.basePath}/2010-04-01/Accounts/${accountSid}/Messages`;
  }

  async deleteExecution(flowSid: string, sid: string): Promise<void> {
    const response = await this.#send("DELETE", this.#executionPath(flowSid, sid));
    await response.body.dump();
  }

  /**
   * One page at a time, following `meta.next_page_url` (always against our own base URL). `read`
   * runs each page's GET: the caller's retry (`Reads.read`), so that a 503 on page 7 costs one
   * page, not the listing.
   */
  async *listExecutionPages(
    flowSid: string,
    input: ListExecutionsInput = {},
    read: (request: () => Promise<ExecutionPage>) => Promise<ExecutionPage> = (request) => request(),
  ): AsyncGenerator<ExecutionPage> {
    let path: string | undefined = this.#firstListPath(flowSid, input);
    while (path !== undefined) {
      const pagePath: string = path;
      const page: ExecutionPage = await read(() => this.#json<ExecutionPage>("GET", pagePath));
      yield page;
      path = page.meta.next_page_url ? this.#ownPath(page.meta.next_page_url) : undefined;
    }
  }

  async *listExecutions(
    flowSid: string,
    input: ListExecutionsInput = {},
    read?: (request: () => Promise<ExecutionPage>) => Promise<ExecutionPage>,
  ): AsyncGenerator<Execution> {
    for await (const page of this.listExecutionPages(flowSid, input, read)) yield* page.executions;
  }

  async close(): Promise<void> {
    await Promise.all([this.#pool.close(), this.#apiPool?.close()]);
  }

  #firstListPath(flowSid: string, input: ListExecutionsInput): string {
    const query = new URLSearchParams();
    if (input.dateCreatedFrom) query.set("DateCreatedFrom", isoSeconds(input.dateCreatedFrom));
    if (input.dateCreatedTo) query.set("DateCreatedTo", isoSeconds(input.dateCreatedTo));
    if (input.status) query.set("status", input.status);
    if (input.pageSize !== undefined) {
      if (!Number.isInteger(input.pageSize) || input.pageSize < 1 || input.pageSize > MAX_PAGE_SIZE) {
        throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${input.pageSize}`);
      }
      query.set("PageSize", String(input.pageSize));
    }
    const search = query.toString();
    return this.#executionsPath(flowSid) + (search ? `?${search}` : "");
  }

  /**
   * Credentials go to our base URL only: from a next-page URL we keep the API path and query,
   * whatever host it names.
   */
  #ownPath(nextPageUrl: string): string {
    const url = new URL(nextPageUrl, "http://placeholder");
    const apiPathStart = url.pathname.indexOf("/v2/");
    const apiPath = apiPathStart >= 0 ? url.pathname.slice(apiPathStart) : url.pathname;
    return this.#basePath + apiPath + url.search;
  }

  #flowPath(flowSid: string): string {
    if (!FLOW_SID_PATTERN.test(flowSid)) throw new RangeError(`not a Flow SID: ${JSON.stringify(flowSid)}`);
    return `${this.#basePath}/v2/Flows/${flowSid}`;
  }

  #executionsPath(flowSid: string): string {
    return `${this.#flowPath(flowSid)}/Executions`;
  }

  #executionPath(flowSid: string, sid: string): string {
    if (!EXECUTION_SID_PATTERN.test(sid)) throw new RangeError(`not an Execution SID: ${JSON.stringify(sid)}`);
    return `${this.#executionsPath(flowSid)}/${sid}`;
  }

  async #json<T>(method: HttpMethod, path: string, form?: URLSearchParams, pool: Pool = this.#pool): Promise<T> {
    const response = await this.#send(method, path, form, pool);
    try {
      return (await response.body.json()) as T;
    } catch (cause) {
      // The status line arrived, so the server did act on the request: any failure reading
      // the body leaves a create in doubt.
      throw new StudioTransportError({ method, path, delivery: "in-doubt", cause });
    }
  }

  async #send(method: HttpMethod, path: string, form?: URLSearchParams, pool: Pool = this.#pool): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = {
      authorization: this.#credentials.authorizationHeader(),
      accept: "application/json",
      "user-agent": this.#userAgent,
    };
    if (form) headers["content-type"] = "application/x-www-form-urlencoded";
    let response: Dispatcher.ResponseData;
    try {
      response = await pool.request({
        method,
        path,
        headers,
        body: form?.toString() ?? null,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
    } catch (cause) {
      throw new StudioTransportError({ method, path, delivery: classifyTransportFailure(cause), cause });
    }
    if (response.statusCode >= 200 && response.statusCode < 300) return response;
    throw new StudioApiError({
      method,
      path,
      status: response.statusCode,
      body: await readErrorBody(response),
      retryAfterMs: parseRetryAfter(response.headers["retry-after"]),
    });
  }
}

async function readErrorBody(response: Dispatcher.ResponseData): Promise<TwilioErrorBody | undefined> {
  try {
    const body: unknown = await response.body.json();
    return typeof body === "object" && body !== null ? (body as TwilioErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

/** Twilio's documented form `YYYY-MM-DDThh:mm:ssZ`. */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
