// The shipment's story in time order: planned legs, excursions opening and
// closing, the anchored heads that made the evidence checkable, payouts.
import type { Excursion, PayoutJson, ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import type { AnchorJson } from '@tradetwin/core/wire/status';
import { excursionTitle } from '../lib/excursions.js';

export interface TimelineItem {
  at: number;
  kind: 'leg' | 'excursion' | 'anchor' | 'payout' | 'policy';
  tone: 'plain' | 'info' | 'bad' | 'ok';
  title: string;
  detail?: string;
  /** Excursion id, tx hash … (for links and tests). */
  ref?: string;
}

export function buildTimeline(state: ShipmentStateJson, anchors: AnchorJson[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  for (const [i, leg] of state.shipment.legs.entries()) {
    items.push({
      at: leg.plannedDeparture,
      kind: 'leg',
      tone: 'info',
      title: `Leg ${i + 1} (${leg.mode}): departs ${leg.from.name}`,
      detail: 'planned',
    });
    items.push({
      at: leg.plannedArrival,
      kind: 'leg',
      tone: 'info',
      title: `Leg ${i + 1}: arrives ${leg.to.name}`,
      detail: 'planned',
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
    detail: `${p.signers.length} oracle organisations attested`,
    ref: p.txHash,
  };
}
