// The raw readings of a dossier as CSV (RFC 4180, UTF-8, CRLF): one row per
// reading, with the id its proof bundle carries and, for the excursion's
// sensor, its value against the rule's limit. Pure.
import type { DossierReading, Limit } from './model.js';
import { outsideBy } from './limits.js';

const HEADER = [
  'reading_id',
  'device_id',
  'seq',
  'time_utc',
  'time_ms',
  'kind',
  'value',
  'unit',
  'limit',
  'outside_by',
  'in_excursion',
];

export const KIND_UNITS: Record<string, string> = {
  temp: '°C',
  rh: '%RH',
  shock: 'g',
  lux: 'lux',
  door: 'open',
  batt: '%',
  pos: 'lat,lon',
};

function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function readingsCsv(
  readings: readonly DossierReading[],
  excursion: { deviceId: string; limit: Limit; from: number; to: number },
  limitText: string,
): string {
  const rows = [HEADER.join(',')];
  for (const r of readings) {
    const ofRule = r.deviceId === excursion.deviceId && r.kind === excursion.limit.sensor && typeof r.value === 'number';
    const by = ofRule ? outsideBy(excursion.limit, r.value as number) : null;
    rows.push(
      [
        r.id,
        r.deviceId,
        String(r.seq),
        new Date(r.t).toISOString(),
        String(r.t),
        r.kind,
        Array.isArray(r.value) ? `${r.value[0]} ${r.value[1]}` : String(r.value),
        KIND_UNITS[r.kind] ?? '',
        ofRule ? limitText : '',
        by === null ? '' : by > 0 ? by.toFixed(2) : '0',
        ofRule && r.t >= excursion.from && r.t <= excursion.to ? 'yes' : '',
      ]
        .map(field)
        .join(','),
    );
  }
  return `${rows.join('\r\n')}\r\n`;
}
