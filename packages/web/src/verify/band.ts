// A reading against its shipment's allowed band (the band rule for its sensor).
import type { Rule } from '@tradetwin/core/wire/shipments';

export interface BandPosition {
  ruleId: string;
  min: number;
  max: number;
  /** 0 inside the band; above it, how far above (> 0); below it, how far below (< 0). */
  outside: number;
}

export function bandOf(rules: readonly Rule[], kind: string, v: number | [number, number]): BandPosition | null {
  if (typeof v !== 'number') return null;
  const r = rules.find((x): x is Extract<Rule, { kind: 'band' }> => x.kind === 'band' && x.sensor === kind);
  if (!r) return null;
  const outside = v > r.max ? v - r.max : v < r.min ? v - r.min : 0;
  // Rounded to the reading's own precision: 8.30 − 8 is 0.3000000000000007 in binary.
  return { ruleId: r.id, min: r.min, max: r.max, outside: Math.round(outside * 1e6) / 1e6 };
}
