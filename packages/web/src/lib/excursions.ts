// Excursions in words, and the time span a chart shades for one: exactly the
// record's startedAt … endedAt (lastObservedAt while it is still open).
import type { Excursion } from '@tradetwin/core/wire/shipments';
import { formatMinutes, formatValue, kindName } from './format.js';

export function excursionSpan(x: Excursion): { start: number; end: number } {
  return { start: x.startedAt, end: x.endedAt ?? x.lastObservedAt };
}

export function excursionTitle(x: Excursion): string {
  switch (x.kind) {
    case 'band':
      return `${kindName(x.sensor)} ${x.direction} band for ${formatMinutes(x.minutesOutside)}`;
    case 'threshold':
      return `shock ${formatValue('shock', x.peak)} above the limit`;
    case 'light':
      return `${x.sensor === 'door' ? 'door opened' : 'light'} outside allowed places for ${formatMinutes(x.durationMinutes)}`;
    case 'gap':
      return `no data for ${formatMinutes(x.durationMinutes)}`;
  }
}

export function excursionDetail(x: Excursion): string {
  const parts: string[] = [`rule ${x.ruleId}`, `device ${x.deviceId}`];
  if (x.kind === 'band') {
    parts.push(`peak ${formatValue(x.sensor, x.peak)}`);
    if (x.shelfDaysLost) parts.push(`${x.shelfDaysLost.toFixed(1)} shelf-days lost`);
  }
  if (x.kind === 'light' && x.position) parts.push(`at ${x.position[0].toFixed(3)}, ${x.position[1].toFixed(3)}`);
  if (x.open) parts.push('still open');
  return parts.join(' · ');
}
