/** Widgets shaped as Studio exports them (a REST trigger, transitions, properties), for flows written in tests. */
export const trigger = (next: string) => ({
  name: "Trigger",
  type: "trigger",
  transitions: [{ event: "incomingMessage" }, { event: "incomingCall" }, { event: "incomingRequest", next }],
  properties: { offset: { x: 0, y: 0 } },
});

export const say = (name: string, body: string, next?: string) => ({
  name,
  type: "send-message",
  transitions: [{ event: "sent", ...(next ? { next } : {}) }, { event: "failed" }],
  properties: { body, from: "{{flow.channel.address}}", to: "{{contact.channel.address}}" },
});

export const ask = (name: string, body: string, next: string) => ({
  name,
  type: "send-and-wait-for-reply",
  transitions: [{ event: "incomingMessage", next }, { event: "timeout" }, { event: "deliveryFailure" }],
  properties: { body, timeout: "3600" },
});

/** A Split Based On… widget: `[type, value, next]` a match transition each, in order; `noMatch` first, as Studio writes it. */
export const split = (name: string, input: string, matches: Array<[string, string, string]>, noMatch?: string) => ({
  name,
  type: "split-based-on",
  transitions: [
    { event: "noMatch", ...(noMatch ? { next: noMatch } : {}) },
    ...matches.map(([type, value, next]) => ({
      event: "match",
      next,
      conditions: [{ friendly_name: value, arguments: [input], type, value }],
    })),
  ],
  properties: { input },
});
