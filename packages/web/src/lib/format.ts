// Formatting for people: times in UTC (evidence is compared across time zones),
// durations, token amounts from base units, shortened hashes.

export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatTimeSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
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

/** A token amount in base units (decimal string or bigint) with `decimals`, grouped: 100000000000 → "100,000.00". */
export function formatUnits(amount: string | bigint, decimals: number, fractionDigits = 2): string {
  const v = typeof amount === 'bigint' ? amount : BigInt(amount);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const unit = 10n ** BigInt(decimals);
  const whole = abs / unit;
  const frac = (abs % unit).toString().padStart(decimals, '0').slice(0, fractionDigits);
  const grouped = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${grouped}${fractionDigits > 0 && decimals > 0 ? `.${frac.padEnd(fractionDigits, '0')}` : ''}`;
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
