import { errorCode, type Delivery } from "./errors.js";

/**
 * Classify a transport failure: could the request have reached the server?
 *
 * The no-duplicate guarantee rests on this. Only failures that happen before a byte of the
 * request can have been written count as `not-sent`: the connection was never established
 * (refused, DNS, connect timeout) or TLS never completed (a certificate was rejected before the
 * request was written). Everything else, including a reset or close on a reused keep-alive
 * socket, a timeout waiting for the answer, or an error we do not recognise, is `in-doubt`:
 * the server may have created the Execution.
 */
export function classifyTransportFailure(err: unknown): Delivery {
  const code = errorCode(err);
  if (code !== undefined && NOT_SENT_CODES.has(code)) return "not-sent";
  if (code !== undefined && TLS_CODE_PATTERN.test(code)) return "not-sent";
  const syscall = (err as { syscall?: unknown } | null)?.syscall;
  // Errors raised while opening the socket carry the syscall that failed.
  if (syscall === "connect" || syscall === "getaddrinfo") return "not-sent";
  return "in-doubt";
}

const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED", // nothing listens
  "ENOTFOUND", // DNS: no such host
  "EAI_AGAIN", // DNS: temporary failure
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT", // undici: TCP/TLS connect did not complete
  "UND_ERR_INVALID_ARG", // undici refused to build the request
  "UND_ERR_CLOSED",
]);

// TLS handshake and certificate failures all precede the request bytes.
const TLS_CODE_PATTERN = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;
