// Formatting for people: times in the display time zone and locale chosen in
// the header (UTC by default: evidence is compared across time zones),
// durations, token amounts from base units (core/money), shortened hashes.
import { displaySettings, type DisplaySettings } from './display.js';

export { formatUnits } from '@tradetwin/core/money/format';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, o: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale} ${JSON.stringify(o)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, o);
    formatters.set(key, f);
  }
  return f;
}

/** Calendar fields of an instant in a time zone. */
export function fieldsIn(ms: number, timeZone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  if (timeZone === 'UTC') {
    const iso = new Date(ms).toISOString();
    return {
      year: iso.slice(0, 4),
      month: iso.slice(5, 7),
      day: iso.slice(8, 10),
      hour: iso.slice(11, 13),
      minute: iso.slice(14, 16),
      second: iso.slice(17, 19),
    };
  }
  const parts = formatter('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** The zone as people read it at that instant: "UTC", "GMT+3", "CET". */
export function zoneName(ms: number, timeZone: string): string {
  if (timeZone === 'UTC') return 'UTC';
  return (
    formatter('en-GB', { timeZone, timeZoneName: 'short' })
      .formatToParts(ms)
      .find((p) => p.type === 'timeZoneName')?.value ?? timeZone
  );
}

/** An instant for people, to the minute (or second) in the display zone and locale. */
export function formatInstant(ms: number, seconds: boolean, s: DisplaySettings = displaySettings()): string {
  if (s.locale === null) {
    const f = fieldsIn(ms, s.timeZone);
    return `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute}${seconds ? `:${f.second}` : ''} ${zoneName(ms, s.timeZone)}`;
  }
  return formatter(s.locale, {
    timeZone: s.timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
    timeZoneName: 'short',
  }).format(ms);
}

export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return formatInstant(ms, false);
}

export function formatTimeSeconds(ms: number): string {
  return formatInstant(ms, true);
}

/** Only the time of day, in the display zone ("14:05:09"), for the live feed. */
export function formatClock(ms: number): string {
  const s = displaySettings();
  if (s.locale !== null)
    return formatter(s.locale, { timeZone: s.timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);
  const f = fieldsIn(ms, s.timeZone);
  return `${f.hour}:${f.minute}:${f.second}`;
}

export function formatMinutes(minutes: number): string {
  const m = Math.round(minutes);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (h < 48) return rest ? `${h} h ${rest} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return `${d} d ${h % 24} h`;
}

export function formatAgo(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined) return 'never';
  const s = Math.round((now - ms) / 1000);
  if (s < 0) return 'in the future';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400 * 2) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export function shortHex(h: string | null | undefined, keep = 6): string {
  if (!h) return '—';
  return h.length <= 2 + keep * 2 ? h : `${h.slice(0, 2 + keep)}…${h.slice(-keep)}`;
}

const UNITS: Record<string, string> = { temp: '°C', rh: '%', shock: 'g', lux: 'lx', batt: '%', door: '', meter: '' };

export function unitOf(kind: string): string {
  return UNITS[kind] ?? '';
}

export function kindName(kind: string): string {
  return (
    {
      temp: 'temperature',
      rh: 'humidity',
      shock: 'shock',
      lux: 'light',
      pos: 'position',
      door: 'door',
      meter: 'meter',
      batt: 'battery',
    }[kind] ?? kind
  );
}

export function formatValue(kind: string, v: number | [number, number]): string {
  if (Array.isArray(v)) return `${v[0].toFixed(4)}, ${v[1].toFixed(4)}`;
  if (kind === 'door') return v ? 'open' : 'closed';
  const digits = kind === 'temp' || kind === 'shock' ? 2 : kind === 'rh' || kind === 'batt' ? 1 : 0;
  const unit = unitOf(kind);
  return `${v.toFixed(digits)}${unit ? (unit === '%' || unit === '°C' ? ` ${unit}` : ` ${unit}`) : ''}`;
}
