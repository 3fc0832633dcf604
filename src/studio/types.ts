/** The Execution resource of Studio v2 (reference: studio-v2-executions-api.md). */
export type ExecutionStatus = "active" | "ended";

export interface Execution {
  sid: string;
  account_sid: string | null;
  flow_sid: string | null;
  contact_channel_address: string | null;
  contact_sid: string | null;
  flow_version: number | null;
  context: unknown;
  status: ExecutionStatus;
  date_created: string | null;
  date_updated: string | null;
  url: string | null;
  links: Record<string, string> | null;
}

export interface ExecutionPage {
  executions: Execution[];
  meta: {
    next_page_url: string | null;
    page?: number;
    page_size?: number;
    url?: string;
    first_page_url?: string;
    previous_page_url?: string | null;
    key?: string;
  };
}

export interface CreateExecutionInput {
  to: string;
  from: string;
  /** Sent as a JSON string in the form field `Parameters`. */
  parameters?: Record<string, unknown>;
}

export interface ListExecutionsInput {
  /** Executions created on or after this instant. */
  dateCreatedFrom?: Date;
  /** Executions created before this instant. */
  dateCreatedTo?: Date;
  status?: ExecutionStatus;
  /** 1..1000; the API's default is 50. */
  pageSize?: number;
}

export const FLOW_SID_PATTERN = /^FW[0-9a-fA-F]{32}$/;
export const EXECUTION_SID_PATTERN = /^FN[0-9a-fA-F]{32}$/;

/** The Flow resource (`GET /v2/Flows/{Sid}`) and a Flow Revision (`…/Revisions/{Revision}`). */
export interface FlowResource {
  sid: string;
  account_sid: string | null;
  friendly_name: string | null;
  /** The flow's JSON definition (`states`, `initial_state`, …); null in list responses. */
  definition: unknown;
  status: "draft" | "published" | string;
  revision: number;
  commit_message?: string | null;
  valid: boolean | null;
  errors: unknown[] | null;
  /** Absent on a Flow Revision. */
  warnings?: unknown[] | null;
  date_created: string | null;
  date_updated: string | null;
  url: string | null;
}

/** `GET /v2/Flows/{FlowSid}/Executions/{Sid}/Context`. */
export interface ExecutionContextResource {
  account_sid: string | null;
  /** What the Execution knows: `flow.data`, `contact`, `widgets.<name>.…`, `trigger`. */
  context: unknown;
  flow_sid: string | null;
  execution_sid: string | null;
  url: string | null;
}

/** `Revision` path segment: a number, or the two names Twilio's OpenAPI documents. */
export type FlowRevisionRef = number | "LatestPublished" | "LatestRevision";

export const ACCOUNT_SID_PATTERN = /^AC[0-9a-fA-F]{32}$/;
/** `SM` (SMS) or `MM` (MMS) + 32 hex (messages-resource.md). */
export const MESSAGE_SID_PATTERN = /^(SM|MM)[0-9a-fA-F]{32}$/;

/** One Step of an Execution (`GET …/Executions/{Sid}/Steps`): `name` is the event that moved the flow. */
export interface Step {
  sid: string;
  name: string;
  transitioned_from: string;
  transitioned_to: string;
  date_created: string | null;
}

export interface StepPage {
  steps: Step[];
  meta: { next_page_url: string | null };
}

/** Programmable Messaging's Message resource (messages-resource.md): the fields `results` reads. */
export interface MessageResource {
  sid: string;
  status: string;
  error_code: number | null;
  error_message: string | null;
}

/** A Message as the Messages list shows it: the fields a late reply is read from (docs/reference.md §19). */
export interface ListedMessage extends MessageResource {
  from: string;
  to: string;
  /** The Messaging Service whose number it reached, if any. */
  messaging_service_sid?: string | null;
  body: string;
  /** `inbound` for a message the contact sent; `outbound-api`, `outbound-reply`… for ours. */
  direction: string;
  /** RFC 2822 (`Thu, 24 Aug 2023 05:01:45 +0000`); null while not sent. */
  date_sent: string | null;
}

/** One page of `GET /2010-04-01/Accounts/{AccountSid}/Messages.json`, newest first. */
export interface MessagePage {
  messages: ListedMessage[];
  /** The next page, relative to the API's origin (`/2010-04-01/Accounts/…/Messages.json?…&PageToken=…`); null on the last. */
  next_page_uri: string | null;
}

/** The most Executions one List page holds (Twilio's `PageSize` maximum, shared/reference/studio-facts.md). */
export const LIST_PAGE_SIZE = 1000;
