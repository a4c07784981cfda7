// CBV 2.0 §8.9 timestamps: UTC with "Z" and exactly three fractional digits.
// xsd:dateTimeStamp allows any number of digits; the third is rounded up when
// the fourth is 5–9 (…03.1415Z → …03.142Z), carrying into the seconds if needed.

const ISO = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|z|[+-]\d{2}:?\d{2})?$/;

/** Milliseconds since the epoch of an ISO 8601 date-time, rounded half-up to the millisecond; null if it is not one. */
export function parseTimestampMs(text: string): number | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', tz] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 24 || Number(mi) > 59 || Number(s) > 60) return null;
  // A time without a zone is read as UTC: the hash must not depend on the machine's zone.
  let offsetMin = 0;
  if (tz && tz !== 'Z' && tz !== 'z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  const ms = Number((frac + '000').slice(0, 3)) + (Number(frac[3] ?? '0') >= 5 ? 1 : 0);
  const base = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s));
  const t = base + ms - offsetMin * 60_000;
  return Number.isFinite(t) ? t : null;
}

/** The pre-hash form of a timestamp; text that is not a date-time comes back trimmed, unchanged. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function canonicalTimestamp(text: string): string {
  // Already UTC at millisecond precision (what most systems write): nothing to derive. (A
  // well-shaped but impossible date, 02-30, is kept as written — as the reference keeps any
  // text it cannot read as a date-time.)
  if (CANONICAL.test(text)) return text;
  const t = parseTimestampMs(text);
  if (t === null) return text.trim();
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? text.trim() : d.toISOString();
}

/** True when a date-time names its zone (Z or ±hh:mm), as EPCIS requires for event times. */
export function hasTimeZone(text: string): boolean {
  const m = ISO.exec(text.trim());
  return m !== null && m[8] !== undefined;
}
