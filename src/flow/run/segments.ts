/**
 * How many SMS segments a text takes, and why (https://www.twilio.com/docs/glossary/what-sms-character-limit):
 * GSM-7 — 160 characters in one segment, 153 a segment when split (the extension table's
 * characters count twice) — or, when any character is outside GSM-7, UCS-2: 70 in one, 67 a
 * segment when split (a character outside the Basic Multilingual Plane counts as two). Pure.
 */
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = "^{}\\[~]|€\f";
const basic = new Set(GSM_BASIC);
const extended = new Set(GSM_EXTENDED);

export interface SegmentCount {
  /** Characters as the person reads them (code points). */
  length: number;
  encoding: "GSM-7" | "UCS-2";
  segments: number;
  /** The characters that force UCS-2, each once, in order of appearance. */
  ucs2Characters: string[];
}

export function countSegments(text: string): SegmentCount {
  const chars = [...text];
  const outside = [...new Set(chars.filter((c) => !basic.has(c) && !extended.has(c)))];
  if (outside.length === 0) {
    const units = chars.reduce((n, c) => n + (extended.has(c) ? 2 : 1), 0);
    return { length: chars.length, encoding: "GSM-7", segments: segmentsOf(units, 160, 153), ucs2Characters: [] };
  }
  const units = text.length; // UTF-16 code units: an astral character (an emoji) takes two
  return { length: chars.length, encoding: "UCS-2", segments: segmentsOf(units, 70, 67), ucs2Characters: outside };
}

/** The segments the same text would take in GSM-7 with its UCS-2 characters replaced by plain ones (for "3 segments instead of 2"). */
export function segmentsIfGsm(text: string): number {
  const plain = [...text].map((c) => (basic.has(c) || extended.has(c) ? c : "?")).join("");
  return countSegments(plain).segments;
}

function segmentsOf(units: number, single: number, perPart: number): number {
  if (units === 0) return 0;
  return units <= single ? 1 : Math.ceil(units / perPart);
}
