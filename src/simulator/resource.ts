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

/** A message a played flow sent, for its Message resource. */
export interface MessageRecord {
  sid: string;
  account: string;
  to: string;
  from: string;
  body: string;
  at: number;
  /** Set when it failed (undelivered, or refused with 21610). */
  errorCode: number | undefined;
  /** A message the contact sent (a scripted late reply): `from` is the contact. */
  inbound?: boolean;
}

/** RFC 2822, as the 2010-04-01 API writes dates: `Thu, 24 Aug 2023 05:01:45 +0000`. */
function rfc2822(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toUTCString().replace("GMT", "+0000");
}

/** Programmable Messaging's Message resource (messages-resource.md), the fields Twilio returns. */
export function messageResource(message: MessageRecord) {
  const failed = message.errorCode !== undefined;
  const status = message.inbound
    ? "received"
    : !failed
      ? "delivered"
      : message.errorCode === 21610 || message.errorCode === 21614
        ? "failed"
        : "undelivered";
  return {
    sid: message.sid,
    account_sid: message.account,
    api_version: "2010-04-01",
    body: message.body,
    to: message.to,
    from: message.from,
    // Ours are sent from the service; a contact's reaches it (its `to`: the sender it answered).
    messaging_service_sid: [message.from, message.to].find((address) => /^MG/.test(address)) ?? null,
    direction: message.inbound ? "inbound" : "outbound-api",
    status,
    error_code: failed ? message.errorCode : null,
    error_message: failed ? `Error ${message.errorCode}` : null,
    num_segments: "1",
    num_media: "0",
    price: null,
    price_unit: "USD",
    date_created: rfc2822(message.at),
    date_updated: rfc2822(message.at),
    date_sent: failed ? null : rfc2822(message.at),
    uri: `/2010-04-01/Accounts/${message.account}/Messages/${message.sid}.json`,
    subresource_uris: { media: `/2010-04-01/Accounts/${message.account}/Messages/${message.sid}/Media.json` },
  };
}
