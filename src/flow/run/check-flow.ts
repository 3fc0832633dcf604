import { parseDefinition, type FlowDefinition } from "../definition.js";
import { liquidError } from "./liquid.js";
import { isConditionType, regexError } from "./split-condition.js";

/**
 * What stops the interpreter from running a flow as Studio would (docs/reference.md §18), one line
 * per problem naming the widget: a Liquid syntax error in a message, an input or a value; a split
 * condition of a type Studio does not have, or a `regex` JavaScript cannot compile. Widget types it
 * does not run are not problems: they take their success transition. Pure.
 */
export function flowProblems(raw: unknown): string[] {
  const definition = parseDefinition(raw);
  if (!definition) return ['not a Studio flow definition (no "states" list)'];
  return definition.states.flatMap((widget) => widgetProblems(widget));
}

function widgetProblems(widget: FlowDefinition["states"][number]): string[] {
  const problems: string[] = [];
  const liquid = (what: string, template: unknown) => {
    const error = typeof template === "string" ? liquidError(template) : undefined;
    if (error) problems.push(`widget ${widget.name}: invalid Liquid in its ${what}: ${error}`);
  };
  const properties = widget.properties ?? {};
  if (widget.type === "send-message" || widget.type === "send-and-wait-for-reply") liquid("body", properties.body);
  if (widget.type === "set-variables" && Array.isArray(properties.variables))
    for (const v of properties.variables as Array<{ key?: unknown; value?: unknown }>) liquid(`variable ${String(v.key)}`, v.value);
  if (widget.type === "split-based-on") {
    liquid("input", properties.input);
    for (const transition of widget.transitions ?? []) {
      for (const condition of (Array.isArray(transition.conditions) ? transition.conditions : []) as Array<Record<string, unknown>>) {
        const type = String(condition.type ?? "");
        if (!isConditionType(type)) problems.push(`widget ${widget.name}: a condition of type "${type}", which Studio does not have`);
        else if (type === "regex" && regexError(String(condition.value ?? "")))
          problems.push(`widget ${widget.name}: its regex ${JSON.stringify(condition.value)} does not compile`);
        liquid("condition value", condition.value);
      }
    }
  }
  return problems;
}
