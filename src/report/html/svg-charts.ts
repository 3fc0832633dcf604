import { escapeHtml } from "./escape.js";
import { localIso } from "../../contacts/zoned-time.js";

/**
 * Inline SVG charts, generated here (no charting library: the page must open offline and a
 * script-free page cannot run one). Colours come from classes in the page's one stylesheet; every
 * bar is a `rect.bar` with its label in a `text.label` and its value in a `text.value`, and an SVG
 * `<title>` for a tooltip — readable without JavaScript, and countable by the browser test.
 */
export interface Bar {
  label: string;
  value: number;
  /** A class for its colour (`c-answered`, `c-1`…). */
  tone?: string;
  /** Shown after the value, e.g. "12.5 %". */
  note?: string;
}

const WIDTH = 640;
const ROW = 26;
const LABEL_WIDTH = 190;
const VALUE_WIDTH = 130;

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** Horizontal bars, one per row, values right-aligned after the bar. */
export function barChart(options: { id: string; title: string; bars: readonly Bar[] }): string {
  const { bars } = options;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const height = bars.length * ROW + 8;
  const rows = bars.map((bar, i) => {
    const y = 4 + i * ROW;
    const w = bar.value === 0 ? 0 : Math.max(2, (bar.value / max) * plot);
    const value = `${formatCount(bar.value)}${bar.note ? ` (${bar.note})` : ""}`;
    return (
      `<g><title>${escapeHtml(`${bar.label}: ${value}`)}</title>` +
      `<text class="label" x="${LABEL_WIDTH - 8}" y="${y + 17}" text-anchor="end">${escapeHtml(truncate(bar.label, 28))}</text>` +
      `<rect class="bar ${escapeHtml(bar.tone ?? "c-0")}" x="${LABEL_WIDTH}" y="${y + 4}" width="${w.toFixed(1)}" height="${ROW - 8}" rx="2"></rect>` +
      `<text class="value" x="${WIDTH - 4}" y="${y + 17}" text-anchor="end">${escapeHtml(value)}</text></g>`
    );
  });
  return svg(options.id, options.title, WIDTH, height, rows.join(""));
}

export interface TimeBucket {
  start: number;
  count: number;
}

/** Bars over time, with a dashed line at the configured rate (per bucket) when given. */
export function timeChart(options: {
  id: string;
  title: string;
  buckets: readonly TimeBucket[];
  bucketMs: number;
  /** The configured rate, in the same unit as the counts (per bucket). */
  limit?: { value: number; label: string } | undefined;
  /** The zone the times are shown in. */
  zone: string;
}): string {
  const { buckets, limit } = options;
  const height = 200;
  const left = 56;
  const bottom = 28;
  const plotW = WIDTH - left - 8;
  const plotH = height - bottom - 12;
  const max = Math.max(1, limit?.value ?? 0, ...buckets.map((b) => b.count));
  const barW = buckets.length === 0 ? 0 : plotW / buckets.length;
  const y = (v: number) => 12 + plotH - (v / max) * plotH;
  const bars = buckets.map((b, i) => {
    const h = (b.count / max) * plotH;
    return (
      `<rect class="bar c-time" x="${(left + i * barW + barW * 0.1).toFixed(1)}" y="${(12 + plotH - h).toFixed(1)}" ` +
      `width="${Math.max(1, barW * 0.8).toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeHtml(
        `${clock(b.start, options.zone)}: ${formatCount(b.count)}`,
      )}</title></rect>`
    );
  });
  const axis =
    `<line class="axis" x1="${left}" y1="${12 + plotH}" x2="${WIDTH - 8}" y2="${12 + plotH}"></line>` +
    `<text class="tick" x="${left - 6}" y="${y(max) + 4}" text-anchor="end">${formatCount(max)}</text>` +
    `<text class="tick" x="${left - 6}" y="${12 + plotH + 4}" text-anchor="end">0</text>` +
    (buckets.length > 0
      ? `<text class="tick" x="${left}" y="${height - 8}">${escapeHtml(clock(buckets[0]!.start, options.zone))}</text>` +
        `<text class="tick" x="${WIDTH - 8}" y="${height - 8}" text-anchor="end">${escapeHtml(
          clock(buckets.at(-1)!.start + options.bucketMs, options.zone),
        )}</text>`
      : "");
  const line =
    limit === undefined
      ? ""
      : `<line class="limit" x1="${left}" y1="${y(limit.value).toFixed(1)}" x2="${WIDTH - 8}" y2="${y(limit.value).toFixed(1)}"></line>` +
        `<text class="tick limit-label" x="${WIDTH - 10}" y="${(y(limit.value) - 5).toFixed(1)}" text-anchor="end">${escapeHtml(limit.label)}</text>`;
  return svg(options.id, options.title, WIDTH, height, axis + bars.join("") + line);
}

/** Buckets of a per-second series for a chart of at most `maxBars` bars, in a round unit. */
export function bucketize(bySecond: ReadonlyMap<number, number>, maxBars = 60): { buckets: TimeBucket[]; bucketMs: number } {
  if (bySecond.size === 0) return { buckets: [], bucketMs: 1000 };
  let first = Infinity;
  let last = -Infinity;
  for (const t of bySecond.keys()) {
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  const span = last - first + 1000;
  const bucketMs = BUCKETS.find((ms) => span / ms <= maxBars) ?? BUCKETS.at(-1)!;
  const start = Math.floor(first / bucketMs) * bucketMs;
  const buckets: TimeBucket[] = [];
  for (let t = start; t <= last; t += bucketMs) buckets.push({ start: t, count: 0 });
  for (const [t, n] of bySecond) buckets[Math.floor((t - start) / bucketMs)]!.count += n;
  return { buckets, bucketMs };
}

const BUCKETS = [1, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600, 86_400, 7 * 86_400].map((s) => s * 1000);

/** A bucket's width in words: "1 s", "5 min", "1 h", "1 day". */
export function bucketName(ms: number): string {
  if (ms < 60_000) return `${ms / 1000} s`;
  if (ms < 3_600_000) return `${ms / 60_000} min`;
  if (ms < 86_400_000) return `${ms / 3_600_000} h`;
  return ms === 86_400_000 ? "1 day" : `${ms / 86_400_000} days`;
}

function svg(id: string, title: string, width: number, height: number, body: string): string {
  return (
    `<svg class="chart" data-chart="${escapeHtml(id)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
    `role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `2026-11-29T06:05:10-08:00`: to the second, as people in `zone` read it, with the offset (docs/reference.md §17). */
export function clock(ms: number, zone: string): string {
  return localIso(ms, zone);
}
