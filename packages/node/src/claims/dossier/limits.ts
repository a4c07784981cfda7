// An excursion's limit as a claims handler reads it: the band or threshold the
// rule sets, and how far a value lies outside it. Pure.
import type { Rule } from '@tradetwin/core/rules/index';
import { DossierError } from './errors.js';
import type { ClaimableExcursion, Limit } from './model.js';

const UNIT: Record<string, string> = { temp: '°C', rh: '%RH', shock: 'g', lux: 'lux', door: '' };

export function limitOf(x: ClaimableExcursion, rules: readonly unknown[]): Limit {
  const rule = (rules as Rule[]).find((r) => r.id === x.ruleId);
  if (!rule) throw new DossierError('unsupported_excursion', `rule ${x.ruleId} of excursion ${x.id} is not in the shipment`);
  switch (rule.kind) {
    case 'band':
      return { sensor: rule.sensor, unit: UNIT[rule.sensor] ?? '', min: rule.min, max: rule.max };
    case 'threshold':
      return { sensor: rule.sensor, unit: 'g', max: rule.maxG };
    case 'light':
      return { sensor: x.sensor, unit: x.sensor === 'door' ? '' : 'lux', max: x.sensor === 'door' ? 0 : rule.luxAbove };
    default:
      throw new DossierError('unsupported_excursion', `rule ${x.ruleId} (${rule.kind}) sets no limit on a reading`);
  }
}

/** Distance outside the limit: > 0 outside, <= 0 inside. */
export function outsideBy(l: Limit, v: number): number {
  const above = l.max !== undefined ? v - l.max : Number.NEGATIVE_INFINITY;
  const below = l.min !== undefined ? l.min - v : Number.NEGATIVE_INFINITY;
  return Math.max(above, below);
}

export function limitText(l: Limit): string {
  if (l.sensor === 'door') return 'door closed';
  const u = l.unit ? ` ${l.unit}` : '';
  if (l.min !== undefined && l.max !== undefined) return `${l.min}–${l.max}${u}`;
  if (l.max !== undefined) return `at most ${l.max}${u}`;
  return `at least ${l.min}${u}`;
}

/** "14.21 °C, 6.21 °C above the 8 °C maximum" / "5.10 °C, inside 2–8 °C". */
export function againstLimit(l: Limit, v: number): string {
  if (l.sensor === 'door') return v > 0 ? 'door open' : 'door closed';
  const u = l.unit ? ` ${l.unit}` : '';
  const by = outsideBy(l, v);
  const value = `${v.toFixed(2)}${u}`;
  if (by <= 0) return `${value}, inside ${limitText(l)}`;
  const above = l.max !== undefined && v > l.max;
  return above
    ? `${value}, ${by.toFixed(2)}${u} above the ${l.max}${u} maximum`
    : `${value}, ${by.toFixed(2)}${u} below the ${l.min}${u} minimum`;
}
