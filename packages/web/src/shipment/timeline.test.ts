// Each leg's actual departure and arrival from the tracker's positions, next to the plan.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrackSeries } from '@tradetwin/core/series/model';
import type { LegJson } from '@tradetwin/core/wire/shipments';
import { actualLegTimes, lateness } from './timeline.js';

const H = 3600_000;
const A = { name: 'A', lat: 51.0, lon: 4.0 };
const B = { name: 'B', lat: 51.0, lon: 5.0 }; // ≈70 km east of A
const C = { name: 'C', lat: 51.0, lon: 6.0 };
const legs: LegJson[] = [
  { from: A, to: B, mode: 'road', plannedDeparture: 0, plannedArrival: 2 * H },
  { from: B, to: C, mode: 'road', plannedDeparture: 4 * H, plannedArrival: 6 * H },
];

function track(points: [number, number][]): TrackSeries {
  return {
    total: points.length,
    t: points.map(([t]) => t),
    lat: points.map(() => 51.0),
    lon: points.map(([, lon]) => lon),
    id: points.map((_, i) => `${i}:0`),
  };
}

describe('actual leg times from the track', () => {
  it('departs at the first fix away from the origin, arrives at the first fix at the destination', () => {
    const t = track([
      [0, 4.0],
      [0.5 * H, 4.0], // still at A: left late
      [1 * H, 4.3],
      [2.5 * H, 5.0], // at B
      [4 * H, 5.0],
      [4.5 * H, 5.5],
      [6 * H, 6.0], // at C
    ]);
    assert.deepEqual(actualLegTimes(legs, t), [
      { departedAt: 1 * H, arrivedAt: 2.5 * H },
      { departedAt: 4.5 * H, arrivedAt: 6 * H },
    ]);
    assert.equal(lateness(2 * H, 2.5 * H), '30 min late');
    assert.equal(lateness(4 * H, 4 * H + 20_000), 'on time');
    assert.equal(lateness(6 * H, 5 * H), '1 h early');
  });

  it('says nothing it has not seen: not yet arrived, not yet departed, no track', () => {
    const onTheRoad = track([
      [0, 4.0],
      [1 * H, 4.5],
    ]);
    assert.deepEqual(actualLegTimes(legs, onTheRoad), [
      { departedAt: 1 * H, arrivedAt: null },
      { departedAt: null, arrivedAt: null },
    ]);
    // The first fix is already away from the origin: when it left is not known.
    assert.deepEqual(actualLegTimes(legs, track([[1 * H, 4.5]]))[0], { departedAt: null, arrivedAt: null });
    assert.deepEqual(actualLegTimes(legs, null), [
      { departedAt: null, arrivedAt: null },
      { departedAt: null, arrivedAt: null },
    ]);
  });
});
