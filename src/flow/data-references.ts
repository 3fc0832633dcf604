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
 * trigger `trigger.request.parameters.KEY` too (SPEC §10), inside Liquid output `{{ … }}` and
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
  for (const block of text.matchAll(BLOCK)) {
    const isOutput = block[1] !== undefined;
    let body = (isOutput ? block[1] : block[2]) ?? "";
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

function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === "string") {
    yield value;
  } else if (Array.isArray(value)) {
    for (const item of value) yield* stringsIn(item);
  } else if (typeof value === "object" && value !== null) {
    for (const item of Object.values(value)) yield* stringsIn(item);
  }
}
