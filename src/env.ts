/** An environment variable's value, trimmed; undefined when unset or blank (a blank one is never a setting). */
export function envValue(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const value = env[key]?.trim();
  return value ? value : undefined;
}
