// The shipment monitor's location rules on a real node: the same signed GPS
// track sent in order by one tracker and shuffled and late (store-and-forward,
// several commits) by another gives the same geofence stay, route deviation and
// unscheduled stop; a monitor started afresh replays the log to exactly the same
// events; an impossible jump and a fix with a poor reported accuracy make none.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeviceKey } from '@tradetwin/core/device/keys';
import type { GeofenceEvent, LocationEvent } from '@tradetwin/core/rules/index';
import { signTelemetry } from '@tradetwin/core/telemetry/envelope';
import type { Reading } from '@tradetwin/core/telemetry/payload';
import { deviceKey, startTestNode, type TestNode } from '../test-support/node-fixture.js';
import { ShipmentMonitor } from './monitor.js';

const MIN = 60_000;
const PORT = { lat: 51.0, lon: 4.4 };

/** Timed waypoints (minutes, lat, lon): into the port, an hour there, a 10 km detour north, 40 min parked, on. */
const WAYPOINTS: [number, number, number][] = [
  [0, 51.0, 4.0],
  [40, 51.0, 4.4],
  [100, 51.0, 4.4],
  [130, 51.0, 4.686],
  [140, 51.09, 4.78],
  [170, 51.09, 5.06],
  [180, 51.0, 5.15],
  [200, 51.0, 5.34],
  [240, 51.0, 5.34],
  [270, 51.0, 5.63],
];

/** One fix a minute along the waypoints, with a reported accuracy of 5 m — and two that must not count. */
function track(t0: number): Reading[] {
  const out: Reading[] = [];
  for (let m = 0; m <= 270; m++) {
    const i = WAYPOINTS.findIndex((w) => w[0] >= m);
    const [tb, latb, lonb] = WAYPOINTS[i]!;
    const [ta, lata, lona] = WAYPOINTS[Math.max(0, i - 1)]!;
    const f = tb === ta ? 1 : (m - ta) / (tb - ta);
    let lat = lata + (latb - lata) * f;
    let lon = lona + (lonb - lona) * f;
    let acc = 5;
    // In the port: a multipath jump 20 km away (impossible in a minute), and a fix 4 km off reporting 500 m accuracy.
    if (m === 70) lat += 0.18;
    if (m === 85) {
      lon += 0.06;
      acc = 500;
    }
    out.push({ t: t0 + m * MIN, k: 'pos', v: [Number(lat.toFixed(6)), Number(lon.toFixed(6))], acc });
  }
  return out;
}

const LOCATION_RULES = [
  {
    kind: 'geofence',
    id: 'ports',
    zones: [{ id: 'port', name: 'Port', unlocode: 'BEANR', shape: 'circle', center: [PORT.lat, PORT.lon], radiusM: 3000 }],
  },
  {
    kind: 'corridor',
    id: 'route',
    route: [
      [51.0, 3.9],
      [51.0, 6.0],
    ],
    maxDistanceKm: 5,
    minMinutes: 10,
  },
  {
    kind: 'stop',
    id: 'stops',
    allowedZones: [{ id: 'port', name: 'Port', shape: 'circle', center: [PORT.lat, PORT.lon], radiusM: 3000 }],
  },
];

async function createShipment(t: TestNode, id: string, deviceId: string, t0: number, body: Record<string, unknown> = {}) {
  return fetch(`${t.node.httpUrl}/api/v1/shipments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.node.adminToken}` },
    body: JSON.stringify({
      id,
      goods: { description: 'spare parts' },
      parties: [{ role: 'carrier', name: 'Road Haulier BV' }],
      legs: [
        {
          from: { name: 'Ghent', lat: 51.0, lon: 3.7 },
          to: { name: 'Port', unlocode: 'BEANR', lat: PORT.lat, lon: PORT.lon },
          mode: 'road',
          plannedDeparture: t0,
          plannedArrival: t0 + 300 * MIN,
        },
      ],
      devices: [{ deviceId, from: t0 - MIN }],
      // A shipment carries at least one condition rule; a tracker's is its silence.
      rules: [{ kind: 'gap', id: 'silence-1h', maxSilenceMinutes: 60, window: { from: t0, to: t0 + 300 * MIN } }],
      locationRules: LOCATION_RULES,
      ...body,
    }),
  });
}

const envelopes = (key: DeviceKey, chunks: Reading[][], firstSeq: number) =>
  chunks.map((r, i) => signTelemetry({ dev: key.deviceId, seq: firstSeq + i, ts: Date.now(), r }, key));

const chunk = <T>(xs: T[], n: number): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

/** A deterministic shuffle (mulberry32), so a failure can be reproduced. */
function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  const rnd = () => {
    s = (s + 0x6d2b79f5) | 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** What must agree between the two trackers: everything but ids, device and log positions. */
function shape(events: LocationEvent[]): unknown {
  return JSON.parse(
    JSON.stringify(events, (k, v) =>
      ['id', 'shipmentId', 'deviceId', 'readingId', 'leafIndex', 'evidence'].includes(k) ? undefined : v,
    ),
  );
}

describe('shipment monitor: location rules on the signed GPS stream', () => {
  let t: TestNode;
  const t0 = Math.floor((Date.now() - 2 * 86_400_000) / MIN) * MIN;
  const inOrder = deviceKey('gps-in-order', 2);
  const late = deviceKey('gps-shuffled-late', 2);
  before(async () => {
    t = await startTestNode();
    for (const k of [inOrder, late]) assert.equal((await t.register(k)).status, 201);
    for (const [id, key] of [
      ['SHP-LOC-A', inOrder],
      ['SHP-LOC-B', late],
    ] as const) {
      const res = await createShipment(t, id, key.deviceId, t0);
      assert.equal(res.status, 201, await res.text());
    }
  });
  after(() => t?.dispose());

  it('derives the same events from a track in order and the same track shuffled and late, and replays them', async () => {
    const fixes = track(t0);
    // In order: 10 fixes an envelope, one request.
    assert.ok((await t.post(envelopes(inOrder, chunk(fixes, 10), 1))).ok);
    await t.node.monitor.idle();
    // Shuffled: fixes in random envelopes; the first hour's held back and delivered last (store-and-forward), four commits.
    const first = fixes.filter((r) => r.t < t0 + 60 * MIN);
    const rest = shuffled(
      fixes.filter((r) => r.t >= t0 + 60 * MIN),
      14,
    );
    const batches = [...chunk(chunk(rest, 7), 10), chunk(shuffled(first, 7), 9)];
    let seq = 1;
    for (const b of batches) {
      const res = await t.post(envelopes(late, b, seq));
      assert.ok(res.ok, await res.text());
      seq += b.length;
      await t.node.monitor.idle();
    }

    const a = t.node.monitor.locationEvents('SHP-LOC-A');
    const b = t.node.monitor.locationEvents('SHP-LOC-B');
    assert.deepEqual(
      a.map((e) => `${e.ruleId}/${e.kind}/${e.open ? 'open' : 'closed'}`),
      ['ports/geofence/closed', 'route/corridor/closed', 'stops/stop/closed'],
      JSON.stringify(a, null, 1),
    );
    assert.deepEqual(shape(b), shape(a));

    const stay = a[0] as GeofenceEvent;
    assert.deepEqual(stay.zone, { id: 'port', name: 'Port', unlocode: 'BEANR' });
    // Entered about minute 36 (3 km out at 40 km/h), left about minute 104; the jump and the inaccurate fix made no exit.
    assert.ok(stay.entry!.at >= t0 + 34 * MIN && stay.entry!.at <= t0 + 38 * MIN, `entry at +${(stay.entry!.at - t0) / MIN} min`);
    assert.ok(stay.exit!.at >= t0 + 100 * MIN && stay.exit!.at <= t0 + 106 * MIN, `exit at +${(stay.exit!.at - t0) / MIN} min`);
    assert.equal(stay.entry!.fixes[0]!.accuracyM, 5, 'the payload accuracy reaches the rules');
    const tally = t.node.monitor.locationTallies('SHP-LOC-A').find((x) => x.ruleId === 'ports')!;
    assert.deepEqual([tally.jumps, tally.inaccurate], [1, 1]);
    const stop = a[2]!;
    assert.ok(stop.startedAt >= t0 + 200 * MIN && stop.startedAt <= t0 + 203 * MIN);

    // The API shows them where it shows the excursions.
    const res = await fetch(`${t.node.httpUrl}/api/v1/shipments/SHP-LOC-A/location-events`, {
      headers: { authorization: `Bearer ${t.node.adminToken}` },
    });
    assert.deepEqual(await res.json(), a);
    const state = (await (
      await fetch(`${t.node.httpUrl}/api/v1/shipments/SHP-LOC-B`, { headers: { authorization: `Bearer ${t.node.adminToken}` } })
    ).json()) as { locationEvents: LocationEvent[] };
    assert.deepEqual(state.locationEvents, b);

    // Anyone replaying the log reaches the same events, ids included.
    const replay = new ShipmentMonitor(t.node.store, t.node.shipments);
    await replay.start();
    assert.deepEqual(replay.locationEvents('SHP-LOC-A'), a);
    assert.deepEqual(replay.locationEvents('SHP-LOC-B'), b);

    // And the port's crossings are DCSA transport events at its UN/LOCODE, proven by the fixes.
    await t.node.dcsaDeriver.idle();
    const dcsa = await t.node.dcsa.query({ eventTypes: ['TRANSPORT'] }, 100);
    const mine = dcsa.rows
      .map((r) => JSON.parse(r.json) as Record<string, Record<string, unknown>>)
      .filter((e) => (e['x-tradetwin-evidence'] as { locationEventId: string }).locationEventId === stay.id);
    assert.deepEqual(
      mine.map((e) => `${e.eventClassification!.transportEventTypeCode}@${e.eventLocation!.UNLocationCode}`).sort(),
      ['ARRI@BEANR', 'DEPA@BEANR'],
    );
  });

  it('refuses a shipment whose location rules are bad, naming the field', async () => {
    const bad = async (locationRules: unknown, detail: RegExp) => {
      const res = await createShipment(t, `SHP-BAD-${Math.random().toString(36).slice(2, 8)}`, inOrder.deviceId, t0, {
        locationRules,
      });
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { detail: string }).detail, detail);
    };
    await bad(
      [
        {
          kind: 'geofence',
          id: 'g',
          zones: [{ id: 'z', name: 'Z', unlocode: 'BE-AN', shape: 'circle', center: [1, 2], radiusM: 9 }],
        },
      ],
      /^locationRules\[0\]\.zones\[0\]\.unlocode: must be a UN\/LOCODE/,
    );
    await bad(
      [
        {
          kind: 'geofence',
          id: 'g',
          zones: [
            {
              id: 'z',
              name: 'Z',
              shape: 'polygon',
              ring: [
                [1, 2],
                [1, 3],
                [1, 2],
              ],
            },
          ],
        },
      ],
      /^locationRules\[0\]\.zones\[0\]\.ring: must have at least 3 distinct vertices/,
    );
  });
});
