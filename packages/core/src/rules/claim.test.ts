import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claimFields } from './claim.js';
import type { BandExcursion } from './excursion.js';
import { distanceM, zoneAt } from './geo.js';
import { shelfDaysLost } from './shelf-life.js';

const T = 1_764_000_000_000;
const excursion = (minutesOutside: number, peak: number, open = false): BandExcursion => ({
  id: '0x00',
  shipmentId: 's',
  ruleId: 'cold',
  kind: 'band',
  sensor: 'temp',
  deviceId: 'd',
  startedAt: T + 1999,
  endedAt: open ? null : T + 95 * 60_000 + 999,
  lastObservedAt: T + 95 * 60_000 + 999,
  open,
  durationMinutes: minutesOutside,
  minutesOutside,
  breached: minutesOutside > 30,
  peak,
  direction: peak > 8 ? 'above' : 'below',
  shelfDaysLost: null,
  evidence: { firstLeafIndex: 1, lastLeafIndex: 2, readingIds: { first: '1:0', peak: '1:0', last: '2:0' } },
});

describe('claim fields for the EIP-712 attestation', () => {
  it('converts to seconds, whole minutes (rounded up) and centi-degrees', () => {
    assert.deepEqual(claimFields(excursion(95, 14.2)), {
      startedAt: T / 1000 + 1,
      endedAt: T / 1000 + 95 * 60,
      minutesOutside: 95,
      peakCentiC: 1420,
    });
    // 30.01 min is breached for a tolerance of 30, so the claim must say 31.
    assert.equal(claimFields(excursion(30.01, 9)).minutesOutside, 31);
    assert.equal(claimFields(excursion(30, 9)).minutesOutside, 30);
    assert.equal(claimFields(excursion(95.000000000001, 9)).minutesOutside, 95);
    assert.equal(claimFields(excursion(40, -2.345)).peakCentiC, -235);
    assert.equal(claimFields(excursion(40, 0.001)).peakCentiC, 0);
    assert.equal(claimFields(excursion(40, 9, true)).endedAt, T / 1000 + 95 * 60);
  });
});

describe('geofence and shelf-life helpers', () => {
  it('measures great-circle distance', () => {
    // One degree of latitude ≈ 111.195 km on the mean sphere.
    assert.ok(Math.abs(distanceM([0, 0], [1, 0]) - 111_195) < 1);
    assert.equal(distanceM([10, 20], [10, 20]), 0);
    // Antwerp → Mombasa ≈ 7,000 km.
    const d = distanceM([51.26, 4.4], [-4.04, 39.67]);
    assert.ok(d > 6_950_000 && d < 7_050_000, String(d));
    const zones = [{ name: 'a', center: [0, 0] as [number, number], radiusM: 1000 }];
    assert.equal(zoneAt([0.005, 0], zones)?.name, 'a');
    assert.equal(zoneAt([0.01, 0], zones), null);
  });

  it('spends the stability budget linearly and caps at the shelf life', () => {
    assert.equal(shelfDaysLost(0, 60, 30), 0);
    assert.equal(shelfDaysLost(30 * 60_000, 60, 30), 15);
    assert.equal(shelfDaysLost(600 * 60_000, 60, 30), 30);
  });
});
