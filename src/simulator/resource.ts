import type { StoredExecution } from "./store.js";

/** Twilio shows timestamps at one-second precision: `2015-07-30T20:00:00Z`. */
export function twilioDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The Execution resource, shaped like the reference's 201/200 bodies. */
export function executionResource(execution: StoredExecution, status: "active" | "ended", origin: string) {
  const url = `${origin}/v2/Flows/${execution.flowSid}/Executions/${execution.sid}`;
  return {
    sid: execution.sid,
    account_sid: execution.accountSid,
    flow_sid: execution.flowSid,
    context: {},
    contact_channel_address: execution.to,
    contact_sid: execution.contactSid,
    flow_version: 1,
    status,
    date_created: twilioDate(execution.createdAt),
    date_updated: twilioDate(execution.endedAt ?? execution.createdAt),
    initiated_by: null,
    url,
    links: { steps: `${url}/Steps`, execution_context: `${url}/Context` },
  };
}

export interface TwilioError {
  status: number;
  code: number;
  message: string;
  details?: Record<string, unknown>;
}

export function errorBody(error: TwilioError) {
  return {
    code: error.code,
    message: error.message,
    more_info: `https://www.twilio.com/docs/errors/${error.code}`,
    status: error.status,
    ...(error.details ? { details: error.details } : {}),
  };
}
