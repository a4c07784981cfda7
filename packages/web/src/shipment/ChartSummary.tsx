// A chart's text alternative: what it shows in words (for its aria-label) and
// as a table — lowest, highest and latest readings (each one a link to verify
// it), the allowed band, and each excursion with its times and peak. It works
// with a keyboard, a screen reader or a finger, where the canvas needs a mouse.
import type { ScalarSeries } from '@tradetwin/core/series/model';
import type { Excursion } from '@tradetwin/core/wire/shipments';
import { Link } from '../app/Link.js';
import { formatMinutes, formatTime, formatTimeSeconds, formatValue, kindName } from '../lib/format.js';
import { paths } from '../lib/router.js';

export interface ChartFacts {
  count: number;
  total: number;
  lowest: { t: number; v: number; id: string } | null;
  highest: { t: number; v: number; id: string } | null;
  latest: { t: number; v: number; id: string } | null;
}

/** Extremes survive min/max downsampling, so they are the journey's own. */
export function chartFacts(s: ScalarSeries): ChartFacts {
  let lo = -1;
  let hi = -1;
  for (let i = 0; i < s.v.length; i++) {
    if (lo < 0 || s.v[i]! < s.v[lo]!) lo = i;
    if (hi < 0 || s.v[i]! > s.v[hi]!) hi = i;
  }
  const at = (i: number) => (i < 0 ? null : { t: s.t[i]!, v: s.v[i]!, id: s.id[i]! });
  return { count: s.t.length, total: s.total, lowest: at(lo), highest: at(hi), latest: at(s.t.length - 1) };
}

export function chartDescription(
  kind: string,
  deviceId: string,
  f: ChartFacts,
  band: { min: number; max: number } | null,
  excursions: readonly Excursion[],
): string {
  const name = kindName(kind);
  if (!f.lowest || !f.highest) return `${name} of ${deviceId}: no readings.`;
  const parts = [
    `${name[0]!.toUpperCase()}${name.slice(1)} of ${deviceId}, ${f.total.toLocaleString('en-US')} readings`,
    `lowest ${formatValue(kind, f.lowest.v)} at ${formatTime(f.lowest.t)}`,
    `highest ${formatValue(kind, f.highest.v)} at ${formatTime(f.highest.t)}`,
  ];
  if (band) parts.push(`allowed ${formatValue(kind, band.min)} to ${formatValue(kind, band.max)}`);
  const breached = excursions.filter((x) => x.breached).length;
  parts.push(`${excursions.length} excursion${excursions.length === 1 ? '' : 's'} outside the band (${breached} breached)`);
  return `${parts.join('; ')}.`;
}

export function ChartSummary({
  kind,
  facts,
  band,
  excursions,
}: {
  kind: string;
  facts: ChartFacts;
  band: { min: number; max: number } | null;
  excursions: readonly Excursion[];
}) {
  const row = (label: string, r: ChartFacts['lowest']) =>
    r && (
      <tr>
        <th scope="row">{label}</th>
        <td className="num">{formatValue(kind, r.v)}</td>
        <td>{formatTimeSeconds(r.t)}</td>
        <td>
          <Link href={paths.verify(r.id)}>verify {r.id}</Link>
        </td>
      </tr>
    );
  return (
    <details className="chart-summary" data-testid={`chart-summary-${kind}`}>
      <summary>The {kindName(kind)} readings as a table</summary>
      <div className="table-wrap">
        <table>
          <caption className="sr-only">{kindName(kind)}: lowest, highest and latest readings, and the excursions</caption>
          <thead>
            <tr>
              <th scope="col">Reading</th>
              <th scope="col" className="num">
                Value
              </th>
              <th scope="col">Measured</th>
              <th scope="col">Check it</th>
            </tr>
          </thead>
          <tbody>
            {row('Lowest', facts.lowest)}
            {row('Highest', facts.highest)}
            {row('Latest', facts.latest)}
            {band && (
              <tr>
                <th scope="row">Allowed</th>
                <td className="num" colSpan={3}>
                  {formatValue(kind, band.min)} – {formatValue(kind, band.max)}
                </td>
              </tr>
            )}
            {excursions.map((x) => (
              <tr key={x.id} data-excursion={x.id}>
                <th scope="row">{x.breached ? 'Breach' : 'Excursion'}</th>
                <td className="num">{x.kind === 'band' ? `peak ${formatValue(kind, x.peak)}` : '—'}</td>
                <td>
                  {formatTime(x.startedAt)} → {x.endedAt === null ? 'ongoing' : formatTime(x.endedAt)}
                </td>
                <td>
                  {formatMinutes(x.kind === 'band' ? x.minutesOutside : 0)} outside
                  {x.kind === 'band' && (
                    <>
                      {' · '}
                      <Link href={paths.verify(x.evidence.readingIds.peak)}>verify the peak</Link>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
