import type { FlowDefinition } from "./definition.js";

/** Every widget that reads one `flow.data` key, and whether each of its uses has a `default`. */
export interface DataKeyUse {
  widgets: string[];
  /** True when every use is the head of an output (or assign) with a `default` filter. */
  alwaysDefaulted: boolean;
}

export interface DataReferences {
  keys: Map<string, DataKeyUse>;
  /** `flow.data` used whole (`{{ flow.data | to_json }}`): every sent key may be read. */
  wholeObjectBy: string[];
}

/**
 * Where Executions read the Parameters a campaign sends: `flow.data.KEY`, and for the REST API
 * trigger `trigger.request.parameters.KEY` too (docs/reference.md §10), inside Liquid output `{{ … }}` and
 * tags `{% … %}`, in any string of a widget — its properties, nested objects and arrays, and its
 * transitions' conditions. Studio renders an unknown key as an empty string, so a key the
 * campaign never sends shows as a blank in the message.
 */
export function findDataReferences(definition: FlowDefinition): DataReferences {
  const keys = new Map<string, DataKeyUse>();
  const wholeObjectBy = new Set<string>();
  for (const widget of definition.states) {
    const { name: _name, type: _type, ...rest } = widget;
    for (const text of stringsIn(rest)) {
      for (const use of liquidUses(text)) {
        if (use.key === undefined) {
          wholeObjectBy.add(widget.name);
          continue;
        }
        let entry = keys.get(use.key);
        if (!entry) keys.set(use.key, (entry = { widgets: [], alwaysDefaulted: true }));
        if (!entry.widgets.includes(widget.name)) entry.widgets.push(widget.name);
        entry.alwaysDefaulted &&= use.defaulted;
      }
    }
  }
  return { keys, wholeObjectBy: [...wholeObjectBy] };
}

/** One reference in one Liquid block: `key` undefined for the whole object. */
export interface LiquidUse {
  key: string | undefined;
  defaulted: boolean;
}

const BLOCK = /\{\{-?([\s\S]*?)-?\}\}|\{%-?([\s\S]*?)-?%\}/g;
// `flow.data.key`, `flow.data["key"]`, `flow.data['key']`, and the same under
// `trigger.request.parameters`; not `myflow.data` (the look-behind). No key: the whole object.
const REFERENCE = /(?<![\w.])(?:flow\.data|trigger\.request\.parameters)(?:\.([\w-]+)|\[\s*["']([^"']+)["']\s*\])?/g;

/** Every `flow.data` use in the Liquid blocks of one string (pure; table-tested). */
export function liquidUses(text: string): LiquidUse[] {
  const uses: LiquidUse[] = [];
  for (const { isOutput, body: blockBody } of liquidBlocks(text)) {
    let body = blockBody;
    let defaultable = isOutput;
    // `{% assign x = flow.data.y | default: "z" %}`: the value is an output expression.
    const assign = /^\s*assign\s+[\w-]+\s*=([\s\S]*)$/.exec(body);
    if (!isOutput && assign) {
      body = assign[1] ?? "";
      defaultable = true;
    }
    const [head = "", ...filters] = splitFilters(body);
    const headDefaulted = defaultable && filters.some((f) => /^\s*default\s*(:|$)/.test(f));
    for (const [part, index] of [[head, 0], ...filters.map((f, i) => [f, i + 1] as const)] as const) {
      for (const ref of part.matchAll(REFERENCE)) {
        const key = ref[1] ?? ref[2];
        uses.push({ key, defaulted: index === 0 && headDefaulted });
      }
    }
  }
  return uses;
}

/**
 * The Liquid blocks of one string: outputs `{{ … }}` and tags `{% … %}`, whitespace-trimming
 * forms (`{{-`, `-%}`) included, and blocks split across lines (real exports have both).
 */
export function* liquidBlocks(text: string): Generator<{ isOutput: boolean; body: string }> {
  for (const block of text.matchAll(BLOCK)) {
    const isOutput = block[1] !== undefined;
    yield { isOutput, body: (isOutput ? block[1] : block[2]) ?? "" };
  }
}

/** Every variable path under `root` (e.g. `trigger.message`) read in the Liquid blocks of one string: `trigger.message.From`. */
export function liquidPathsUnder(text: string, root: string): string[] {
  const pattern = new RegExp(`(?<![\\w.])${root.replaceAll(".", "\\.")}\\.([\\w-]+)`, "g");
  const paths: string[] = [];
  for (const { body } of liquidBlocks(text)) for (const match of body.matchAll(pattern)) paths.push(`${root}.${match[1]}`);
  return paths;
}

/** Split a Liquid expression at its filter pipes, not at a `|` inside quotes. */
function splitFilters(expression: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quote: string | undefined;
  for (const ch of expression) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === "|") {
      parts.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

/**
 * Where a value is used, by widget type: the properties whose Liquid reaches a contact or a
 * service — a message's body and recipient, an HTTP request's or a Function's parameters and
 * body. Not `service`/`channel`: Studio fills them in by default with
 * `{{trigger.message.InstanceSid}}` and `{{trigger.message.ChannelSid}}`, nearly every export
 * carries them, and for SMS they are harmless (empty on a REST Execution, the sender is `from`).
 */
const USED_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  "send-message": ["body", "to"],
  "send-and-wait-for-reply": ["body", "to"],
  "make-http-request": ["parameters", "body", "url"],
  "run-function": ["parameters"],
};

/** Data that exists only when a message or a call started the flow (`trigger.message.*`, `trigger.call.*`). */
const INBOUND_ROOTS = ["trigger.message", "trigger.call"] as const;

export interface InboundUse {
  widget: string;
  /** The property it is used in (`body`, `to`, `parameters`…). */
  property: string;
  /** The path read, e.g. `trigger.message.From`. */
  path: string;
}

/** Pure: every inbound-only value a widget uses where it matters (see `USED_PROPERTIES`). */
export function findInboundUses(definition: FlowDefinition): InboundUse[] {
  const uses: InboundUse[] = [];
  for (const widget of definition.states) {
    for (const property of USED_PROPERTIES[widget.type] ?? []) {
      for (const text of stringsIn(widget.properties?.[property]))
        for (const root of INBOUND_ROOTS)
          for (const path of liquidPathsUnder(text, root))
            if (!uses.some((u) => u.widget === widget.name && u.path === path)) uses.push({ widget: widget.name, property, path });
    }
  }
  return uses;
}

/** `trigger.parameters.KEY`: neither `flow.data` nor `trigger.request.parameters`; never set for a REST API Execution. */
export function findTriggerParameters(definition: FlowDefinition): Array<{ widget: string; key: string }> {
  const found: Array<{ widget: string; key: string }> = [];
  for (const widget of definition.states) {
    const { name: _name, type: _type, ...rest } = widget;
    for (const text of stringsIn(rest))
      for (const path of liquidPathsUnder(text, "trigger.parameters")) {
        const key = path.slice("trigger.parameters.".length);
        if (!found.some((f) => f.widget === widget.name && f.key === key)) found.push({ widget: widget.name, key });
      }
  }
  return found;
}

/** The widget types that hand data on to code: a Function, an HTTP request. */
export const HANDS_ON: Readonly<Record<string, string>> = { "run-function": "a Function", "make-http-request": "an HTTP request" };

function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === "string") {
    yield value;
  } else if (Array.isArray(value)) {
    for (const item of value) yield* stringsIn(item);
  } else if (typeof value === "object" && value !== null) {
    for (const item of Object.values(value)) yield* stringsIn(item);
  }
}
