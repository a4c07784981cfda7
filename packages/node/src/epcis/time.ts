// Strict RFC 3339 date-times as EPCIS uses them (eventTime, recordTime,
// declarationTime, sensor times, query bounds), parsed to epoch milliseconds
// with a precise reason when they are not valid. Fractions beyond the
// millisecond are truncated (the index and the queries work in ms).

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

export type TimeParse = { ok: true; ms: number } | { ok: false; reason: string };

function daysInMonth(y: number, m: number): number {
  return [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

export function parseDateTime(value: unknown): TimeParse {
  if (typeof value !== 'string') return { ok: false, reason: `must be an RFC 3339 date-time string, not ${describe(value)}` };
  const m = DATE_TIME.exec(value);
  if (!m) return { ok: false, reason: `"${value}" is not an RFC 3339 date-time (YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm))` };
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12) return { ok: false, reason: `"${value}": month ${mo} is out of range` };
  if (d < 1 || d > daysInMonth(y, mo))
    return { ok: false, reason: `"${value}": day ${d} does not exist in ${y}-${String(mo).padStart(2, '0')}` };
  if (h > 23) return { ok: false, reason: `"${value}": hour ${h} is out of range` };
  if (mi > 59) return { ok: false, reason: `"${value}": minute ${mi} is out of range` };
  if (s > 59) return { ok: false, reason: `"${value}": second ${s} is out of range` };
  const frac = m[7] ? Math.floor(Number(`0${m[7]}`.slice(0, 5)) * 1000 + 1e-9) : 0;
  let offsetMin = 0;
  const tz = m[8]!;
  if (tz !== 'Z' && tz !== 'z') {
    const o = parseOffset(tz);
    if (!o.ok) return { ok: false, reason: `"${value}": ${o.reason}` };
    offsetMin = o.minutes;
  }
  const ms = Date.UTC(y, mo - 1, d, h, mi, s, frac) - offsetMin * 60_000;
  return { ok: true, ms };
}

export type OffsetParse = { ok: true; minutes: number } | { ok: false; reason: string };

/** A UTC offset "±hh:mm" within −14:00…+14:00 (eventTimeZoneOffset). */
export function parseOffset(value: unknown): OffsetParse {
  if (typeof value !== 'string') return { ok: false, reason: `offset must be a string "±hh:mm", not ${describe(value)}` };
  const m = OFFSET.exec(value);
  if (!m) return { ok: false, reason: `offset "${value}" is not of the form ±hh:mm` };
  const h = Number(m[2]);
  const mi = Number(m[3]);
  if (mi > 59) return { ok: false, reason: `offset "${value}": minutes ${mi} are out of range` };
  if (h > 14 || (h === 14 && mi > 0)) return { ok: false, reason: `offset "${value}" is beyond ±14:00` };
  return { ok: true, minutes: (m[1] === '-' ? -1 : 1) * (h * 60 + mi) };
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return `${typeof v} ${String(v)}`;
}
