import { Context, Liquid, Output, type Template } from "liquidjs";

/**
 * Liquid as Studio renders it (https://www.twilio.com/docs/studio/user-guide/liquid-template-language):
 * Shopify's Liquid — its tags and filters — rendered by liquidjs, a well-kept Shopify-compatible
 * engine. An unknown variable renders empty (Studio never errors on a wrong column name), an
 * unknown filter passes its value through, and `to_json` (Studio's name for `json`) is added.
 * Parsed templates are cached: a flow's few templates are rendered for every contact.
 */
const engine = new Liquid({ strictVariables: false, strictFilters: false, lenientIf: true, cache: false });
engine.registerFilter("to_json", (value: unknown) => JSON.stringify(value ?? null));

const parsed = new Map<string, Template[] | { error: string }>();
const MAX_CACHED = 2_000;

function parse(template: string): Template[] | { error: string } {
  let entry = parsed.get(template);
  if (entry === undefined) {
    try {
      entry = engine.parse(template);
    } catch (err) {
      entry = { error: oneLine((err as Error).message) };
    }
    if (parsed.size >= MAX_CACHED) parsed.clear();
    parsed.set(template, entry);
  }
  return entry;
}

/** A Liquid syntax error in the template, in one line; undefined when it parses. */
export function liquidError(template: string): string | undefined {
  const entry = parse(template);
  return "error" in entry ? entry.error : undefined;
}

export interface Rendered {
  text: string;
  /** The `{{ … }}` outputs (outside tags) that rendered empty, as written: "flow.data.provider". */
  empty: string[];
  /** A syntax error: the text is then the template as written, as Studio would not render it either. */
  error?: string;
}

/**
 * Render `template` with Studio's context (`flow`, `contact`, `trigger`, `widgets`). Its nodes are
 * rendered one by one in one Liquid context (an `assign` carries on), so a top-level `{{ … }}`
 * that rendered nothing is seen as it renders — not evaluated a second time. One inside an `if`
 * that was not taken is not in the text at all, and is not reported.
 */
export function renderLiquid(template: string, scope: Record<string, unknown>): Rendered {
  const entry = parse(template);
  if ("error" in entry) return { text: template, empty: [], error: entry.error };
  const context = new Context(scope, engine.options);
  const parts: string[] = [];
  const empty: string[] = [];
  try {
    for (const node of entry) {
      const text = engine.renderSync([node], context) as string;
      if (text === "" && node instanceof Output) empty.push(node.token.content.trim());
      parts.push(text);
    }
  } catch (err) {
    return { text: template, empty: [], error: oneLine((err as Error).message) };
  }
  return { text: parts.join(""), empty };
}

function oneLine(message: string): string {
  return message.split("\n")[0]!.trim();
}
