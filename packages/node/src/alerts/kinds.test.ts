// What becomes an alert (pure): a breach once per excursion, not a mere excursion; a paid claim a
// payout, a refused one claim_refused; the node's own alerts bound to no shipment.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { BandExcursion } from '@tradetwin/core/rules/index';
import { maySee, subscriptionMatches } from './audience.js';
import { claimAlert, excursionAlert } from './kinds.js';

const x: BandExcursion = {
  kind: 'band',
  id: '0xabc',
  shipmentId: 'SHP-1',
  ruleId: 'temp-2-8',
  deviceId: 'reefer-1',
  sensor: 'temp',
  direction: 'above',
  peak: 13.94812,
  shelfDaysLost: null,
  startedAt: 1_000,
  endedAt: null,
  lastObservedAt: 2_000,
  open: true,
  durationMinutes: 95,
  minutesOutside: 95,
  breached: true,
  evidence: { firstLeafIndex: 1, lastLeafIndex: 9, readingIds: { first: '1:0', peak: '5:0', last: '9:0' } },
};

it('a breached excursion is one critical alert keyed by the excursion (open or closed); within tolerance none', () => {
  const open = excursionAlert(x, 5_000)!;
  const closed = excursionAlert({ ...x, open: false, endedAt: 3_000 }, 6_000)!;
  assert.equal(open.kind, 'excursion');
  assert.equal(open.severity, 'critical');
  assert.equal(open.dedupeKey, closed.dedupeKey);
  assert.equal(open.title, 'Shipment SHP-1: temp above its band for 1.6 h, peak 13.95 (rule temp-2-8, device reefer-1)');
  assert.equal(excursionAlert({ ...x, breached: false }, 5_000), null);
});

it('a paid claim is a payout alert, a refused one (or too few attestations) claim_refused, each once', () => {
  const paid = claimAlert(
    { policyId: 3, excursionId: '0xabc', status: 'paid', amount: '100', txHash: '0xt', signers: [] },
    'SHP-1',
    9,
  );
  assert.equal(paid.kind, 'payout');
  assert.equal(paid.dedupeKey, 'payout:0xt');
  const refused = claimAlert(
    { policyId: 3, excursionId: '0xabc', status: 'refused', detail: 'AlreadyPaid(3)', signers: [] },
    'SHP-1',
    9,
  );
  assert.equal(refused.kind, 'claim_refused');
  assert.match(refused.title, /the contract refused it: AlreadyPaid\(3\)/);
  const few = claimAlert({ policyId: 3, excursionId: '0xabc', status: 'not_enough_attestations', signers: [] }, null, 9);
  assert.match(few.title, /too few oracle organisations attested/);
  assert.notEqual(refused.dedupeKey, few.dedupeKey);
});

it('audience: a shipment alert needs shipments:read on it; the node’s own alerts need log:read', () => {
  assert.equal(maySee(new Set(['shipments:read']), { shipmentId: 'SHP-1' }), true);
  assert.equal(maySee(new Set(['shipments:read:SHP-1']), { shipmentId: 'SHP-1' }), true);
  assert.equal(maySee(new Set(['shipments:read:SHP-2']), { shipmentId: 'SHP-1' }), false);
  assert.equal(maySee(new Set(['alerts:read', 'alerts:subscribe']), { shipmentId: 'SHP-1' }), false);
  assert.equal(maySee(new Set(['shipments:read']), { shipmentId: null }), false);
  assert.equal(maySee(new Set(['log:read']), { shipmentId: null }), true);
  const sub = {
    id: 's',
    ownerKind: 'credential' as const,
    ownerName: 'c',
    shipmentId: 'SHP-1',
    kinds: ['excursion'],
    channel: 'webhook' as const,
    target: 'https://x.test',
    secret: 'k',
    createdAt: 0,
  };
  assert.equal(subscriptionMatches(sub, { kind: 'excursion', shipmentId: 'SHP-1' }), true);
  assert.equal(subscriptionMatches(sub, { kind: 'payout', shipmentId: 'SHP-1' }), false);
  assert.equal(subscriptionMatches(sub, { kind: 'excursion', shipmentId: 'SHP-2' }), false);
  assert.equal(
    subscriptionMatches({ ...sub, shipmentId: null, kinds: null }, { kind: 'anchoring_stalled', shipmentId: null }),
    true,
  );
});
