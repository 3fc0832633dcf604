import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCampaign } from "../../src/campaign/load-campaign.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith(".ts") ? [path.join(dir, entry.name)] : [],
  );
}

/** The JSON code blocks of a Markdown text that hold a whole campaign file (they have a `flowSid`). */
const campaignBlocks = (text: string) =>
  [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((block) => /^\{[\s\S]*"flowSid"/.test(block.trim()));

describe("the documentation says what the code does", () => {
  it("every campaign file shown in docs/reference.md and the README loads as it is", () => {
    const blocks = [...campaignBlocks(read("docs/reference.md")), ...campaignBlocks(read("README.md"))];
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) expect(() => parseCampaign(JSON.parse(block), path.join(ROOT, "campaigns", "example.json"))).not.toThrow();
  });

  it("the README's complete campaign file has every key the loader knows, and its table names each", () => {
    const readme = read("README.md");
    const complete = JSON.parse(campaignBlocks(readme)[0]!) as Record<string, unknown>;
    const loader = read("src/campaign/load-campaign.ts");
    const known = /const TOP_LEVEL_KEYS = new Set\(\[([\s\S]*?)\]\)/.exec(loader)?.[1] ?? "";
    const keys = [...known.matchAll(/"(\w+)"/g)].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThan(15);
    const shown = new Set([...Object.keys(complete), "followUpOf", "schedule", "replies"]); // those get their own examples
    expect(keys.filter((key) => !shown.has(key))).toEqual([]);
    for (const key of keys) expect(readme).toContain(`| \`${key}`);
  });

  it("every section the code cites (docs/reference.md §N) exists", () => {
    const headings = new Set([...read("docs/reference.md").matchAll(/^## (\d+)\. /gm)].map((m) => Number(m[1])));
    const cited = new Set<number>();
    for (const file of [...sourceFiles(path.join(ROOT, "src")), ...sourceFiles(path.join(ROOT, "test"))])
      for (const m of readFileSync(file, "utf8").matchAll(/docs\/reference\.md\s*(?:\n\s*\*\s*)?((?:§\d+(?:, )?)+)/g))
        for (const n of m[1]!.matchAll(/§(\d+)/g)) cited.add(Number(n[1]));
    expect(cited.size).toBeGreaterThan(10);
    expect([...cited].filter((n) => !headings.has(n))).toEqual([]);
  });

  it("the code and its tests cite sections, never a subsection the reference does not have (§1.4), nor an issue number", () => {
    const offending: string[] = [];
    for (const file of [...sourceFiles(path.join(ROOT, "src")), ...sourceFiles(path.join(ROOT, "test"))].filter(
      (file) => file !== fileURLToPath(import.meta.url),
    ))
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          const comment = /^\s*(\*|\/\/|\/\*)/.test(line) || line.includes("// ");
          if (/docs\/reference\.md[^\n]*§\d+\.\d/.test(line) || (comment && /\bissues? \d+\b|\(issue[:)]/.test(line)))
            offending.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
        });
    expect(offending).toEqual([]);
  });
});
