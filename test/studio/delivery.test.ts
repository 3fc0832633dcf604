import { describe, expect, it } from "vitest";
import { classifyTransportFailure } from "../../src/studio/delivery.js";

const withCode = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(code), { code, ...extra });

describe("classifyTransportFailure", () => {
  it.each([
    ["ECONNREFUSED", withCode("ECONNREFUSED", { syscall: "connect" }), "not-sent"],
    ["ENOTFOUND", withCode("ENOTFOUND", { syscall: "getaddrinfo" }), "not-sent"],
    ["connect timeout", withCode("UND_ERR_CONNECT_TIMEOUT"), "not-sent"],
    ["bad certificate", withCode("CERT_HAS_EXPIRED"), "not-sent"],
    ["self-signed", withCode("DEPTH_ZERO_SELF_SIGNED_CERT"), "not-sent"],
    ["TLS alert", withCode("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION"), "not-sent"],
    ["reset while connecting", withCode("ECONNRESET", { syscall: "connect" }), "not-sent"],
    ["reset after write", withCode("ECONNRESET", { syscall: "read" }), "in-doubt"],
    ["other side closed", withCode("UND_ERR_SOCKET"), "in-doubt"],
    ["headers timeout", withCode("UND_ERR_HEADERS_TIMEOUT"), "in-doubt"],
    ["body timeout", withCode("UND_ERR_BODY_TIMEOUT"), "in-doubt"],
    ["broken pipe", withCode("EPIPE", { syscall: "write" }), "in-doubt"],
    ["client destroyed", withCode("UND_ERR_DESTROYED"), "in-doubt"],
    ["aborted", withCode("UND_ERR_ABORTED"), "in-doubt"],
    ["unknown error", new Error("something odd"), "in-doubt"],
    ["not an error", "boom", "in-doubt"],
  ])("%s → %s", (_name, err, expected) => {
    expect(classifyTransportFailure(err)).toBe(expected);
  });
});
