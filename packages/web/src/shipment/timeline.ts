// The shipment's story in time order: each leg's departure and arrival as the
// tracker's positions show them next to the plan, excursions opening and
// closing, the anchored heads that made the evidence checkable, payouts.
import type { TrackSeries } from '@tradetwin/core/series/model';
import type { Excursion, LegJson, PayoutJson, PlaceJson, ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import type { AnchorJson } from '@tradetwin/core/wire/status';
import { excursionTitle } from '../lib/excursions.js';
import { formatMinutes } from '../lib/format.js';

export interface TimelineItem {
  at: number;
  kind: 'leg' | 'excursion' | 'anchor' | 'payout' | 'policy';
  tone: 'plain' | 'info' | 'bad' | 'ok';
  title: string;
  detail?: string;
  /** Excursion id, tx hash … (for links and tests). */
  ref?: string;
  /** Legs: the planned time, and the actual one the positions show (null: not seen yet). */
  planned?: number;
  actual?: number | null;
}

/** How near a place a fix must be to count as being there. */
export const AT_PLACE_KM = 5;

export interface LegActual {
  departedAt: number | null;
  arrivedAt: number | null;
}

function km(lat1: number, lon1: number, p: PlaceJson): number {
  const rad = Math.PI / 180;
  const dLat = (p.lat - lat1) * rad;
  const dLon = (p.lon - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(p.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * When each leg actually departed and arrived, from the tracker's positions (time order): departed at
 * the first fix more than AT_PLACE_KM from the leg's origin after the previous leg arrived; arrived at
 * the first fix after that within AT_PLACE_KM of its destination. Null where no fix shows it (yet).
 */
export function actualLegTimes(legs: readonly LegJson[], track: TrackSeries | null, radiusKm = AT_PLACE_KM): LegActual[] {
  const out: LegActual[] = [];
  let i = 0;
  const n = track?.t.length ?? 0;
  for (const leg of legs) {
    let departedAt: number | null = null;
    let arrivedAt: number | null = null;
    if (track) {
      // Still at the origin: skip those fixes (or those before the leg is due, at a place that is also an earlier stop).
      while (i < n && km(track.lat[i]!, track.lon[i]!, leg.from) <= radiusKm) i++;
      if (i < n && i > 0) departedAt = track.t[i]!;
      while (i < n && km(track.lat[i]!, track.lon[i]!, leg.to) > radiusKm) i++;
      if (departedAt !== null && i < n) arrivedAt = track.t[i]!;
    }
    out.push({ departedAt, arrivedAt });
    if (arrivedAt === null) i = n;
  }
  return out;
}

/** "32 min late", "1 h 5 min early", "on time" (within a minute). */
export function lateness(planned: number, actual: number): string {
  const minutes = (actual - planned) / 60_000;
  if (Math.abs(minutes) < 1) return 'on time';
  return `${formatMinutes(Math.abs(minutes))} ${minutes > 0 ? 'late' : 'early'}`;
}

export function buildTimeline(state: ShipmentStateJson, anchors: AnchorJson[], track: TrackSeries | null = null): TimelineItem[] {
  const items: TimelineItem[] = [];
  const actual = actualLegTimes(state.shipment.legs, track);
  for (const [i, leg] of state.shipment.legs.entries()) {
    const a = actual[i]!;
    items.push({
      at: a.departedAt ?? leg.plannedDeparture,
      kind: 'leg',
      tone: a.departedAt === null ? 'info' : 'plain',
      title:
        a.departedAt === null
          ? `Leg ${i + 1} (${leg.mode}): departs ${leg.from.name}`
          : `Leg ${i + 1} (${leg.mode}): departed ${leg.from.name}`,
      detail: a.departedAt === null ? 'planned; no position shows it yet' : lateness(leg.plannedDeparture, a.departedAt),
      planned: leg.plannedDeparture,
      actual: a.departedAt,
    });
    items.push({
      at: a.arrivedAt ?? leg.plannedArrival,
      kind: 'leg',
      tone: a.arrivedAt === null ? 'info' : 'plain',
      title: a.arrivedAt === null ? `Leg ${i + 1}: arrives ${leg.to.name}` : `Leg ${i + 1}: arrived ${leg.to.name}`,
      detail: a.arrivedAt === null ? 'planned; no position shows it yet' : lateness(leg.plannedArrival, a.arrivedAt),
      planned: leg.plannedArrival,
      actual: a.arrivedAt,
    });
  }
  for (const x of state.excursions) items.push(...excursionItems(x));
  // The first confirmed anchor covering each breached excursion's evidence: from then on anyone can check it.
  const confirmed = anchors.filter((a) => a.status === 'confirmed').sort((a, b) => a.size - b.size);
  const seen = new Set<number>();
  for (const x of state.excursions) {
    if (!x.breached || x.kind === 'gap') continue;
    const a = confirmed.find((c) => c.size > x.evidence.lastLeafIndex);
    if (!a || seen.has(a.size)) continue;
    seen.add(a.size);
    items.push({
      at: a.timestamp,
      kind: 'anchor',
      tone: 'ok',
      title: `Evidence anchored: log head of ${a.size.toLocaleString('en-US')} leaves committed on chain`,
      detail: `block ${a.blockNumber ?? '?'} · covers leaves ${x.evidence.firstLeafIndex}–${x.evidence.lastLeafIndex}`,
      ref: a.txHash ?? undefined,
    });
  }
  for (const p of state.payouts) items.push(payoutItem(p));
  return items.sort((a, b) => a.at - b.at || order(a) - order(b));
}

function order(i: TimelineItem): number {
  return ['leg', 'policy', 'excursion', 'anchor', 'payout'].indexOf(i.kind);
}

function excursionItems(x: Excursion): TimelineItem[] {
  const tone = x.breached ? 'bad' : 'plain';
  const out: TimelineItem[] = [
    {
      at: x.startedAt,
      kind: 'excursion',
      tone,
      title: `${x.breached ? 'Breach' : 'Excursion'} begins: ${excursionTitle(x)}`,
      detail: `rule ${x.ruleId} · ${x.deviceId}`,
      ref: x.id,
    },
  ];
  if (x.endedAt !== null && x.endedAt !== x.startedAt) {
    out.push({
      at: x.endedAt,
      kind: 'excursion',
      tone,
      title: `${x.breached ? 'Breach' : 'Excursion'} ends (${x.ruleId})`,
      ref: x.id,
    });
  }
  return out;
}

function payoutItem(p: PayoutJson): TimelineItem {
  return {
    at: p.paidAt,
    kind: 'payout',
    tone: 'ok',
    title: `Payout on policy #${p.policyId}`,
    detail: `${p.money ? `${p.money.formatted}; ` : ''}attested by ${(p.signerOrgs ?? []).map((o) => o.name ?? o.short).join(', ') || `${p.signers.length} oracle organisations`}`,
    ref: p.txHash,
  };
}
