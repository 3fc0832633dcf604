/**
 * `DEBUG` as the `debug` package reads it (https://github.com/debug-js/debug#wildcards): a
 * comma-separated list of namespaces, `*` for all, `name:*` for a namespace's children.
 * `studio-campaign` shows stacks of internal errors; `studio-campaign:starts` every start the
 * limiter grants (its time and sender), for an operator who wants to see the pace it kept.
 */
export function isDebugging(namespace: string, debug: string | undefined = process.env.DEBUG): boolean {
  return (debug ?? "")
    .split(/[\s,]+/)
    .filter((entry) => entry !== "")
    .some((entry) => entry === "*" || entry === namespace || (entry.endsWith(":*") && namespace.startsWith(entry.slice(0, -1))));
}
