/**
 * Text from contacts and files — answers, numbers, names — as HTML text or an attribute value:
 * never markup. `<script>` shows as those characters; quotes cannot close an attribute.
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
