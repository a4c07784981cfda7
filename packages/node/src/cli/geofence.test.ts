// `tradetwin geofence add|list|remove` against a real node, as a user runs them:
// a shipment's port fence added after its tracker's fixes are in the log yields
// the stay at once (the monitor re-evaluates from the log); a GeoJSON polygon in
// the node-wide set; bad polygons, LOCODEs and shapes exit 2 naming the field;
// an unknown zone and a caller without geofences:write are refused (exit 1).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GeofenceEvent, GeoZone, LocationEvent } from '@tradetwin/core/rules/index';
import { signTelemetry } from '@tradetwin/core/telemetry/envelope';
import type { Reading } from '@tradetwin/core/telemetry/payload';
import { runCli } from '../test-support/cli.js';
import { CliError, EXIT } from './args.js';
import { zoneFromFlags } from './geofence.js';
import { deviceKey, startTestNode, type TestNode } from '../test-support/node-fixture.js';

const MIN = 60_000;
const SHIPMENT = 'SHP-GEOFENCE-CLI';

describe('tradetwin geofence', () => {
  let t: TestNode;
  let dir: string[];
  const key = deviceKey('gps-geofence-cli', 2);
  const t0 = Math.floor((Date.now() - 86_400_000) / MIN) * MIN;
  before(async () => {
    t = await startTestNode();
    dir = ['--data-dir', t.dataDir];
    assert.equal((await t.register(key)).status, 201);
    const res = await fetch(`${t.node.httpUrl}/api/v1/shipments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.node.adminToken}` },
      body: JSON.stringify({
        id: SHIPMENT,
        goods: { description: 'machine parts' },
        parties: [{ role: 'carrier', name: 'Haulier' }],
        legs: [
          {
            from: { name: 'Mechelen', lat: 51.03, lon: 4.48 },
            to: { name: 'Antwerp', unlocode: 'BEANR', lat: 51.26, lon: 4.4 },
            mode: 'road',
            plannedDeparture: t0,
            plannedArrival: t0 + 120 * MIN,
          },
        ],
        devices: [{ deviceId: key.deviceId, from: t0 - MIN }],
        rules: [{ kind: 'gap', id: 'silence', maxSilenceMinutes: 60, window: { from: t0, to: t0 + 120 * MIN } }],
      }),
    });
    assert.equal(res.status, 201, await res.text());
    // North into Antwerp at ~28 km/h, an hour there: one fix a minute.
    const r: Reading[] = [];
    for (let m = 0; m <= 120; m++) {
      const f = Math.min(1, m / 60);
      r.push({ t: t0 + m * MIN, k: 'pos', v: [51.03 + 0.23 * f, 4.48 - 0.08 * f], acc: 8 });
    }
    assert.ok((await t.post([signTelemetry({ dev: key.deviceId, seq: 1, ts: Date.now(), r }, key)])).ok);
    await t.node.monitor.idle();
  });
  after(() => t.dispose());

  it("adds a shipment's port fence, which yields the stay from the fixes already logged; lists and removes it", async () => {
    assert.deepEqual(t.node.monitor.locationEvents(SHIPMENT), [], 'no location rules yet');
    const added = await runCli([
      'geofence',
      'add',
      '--shipment',
      SHIPMENT,
      '--id',
      'antwerp',
      '--name',
      'Port of Antwerp',
      '--unlocode',
      'BEANR',
      '--circle',
      '51.26,4.40,3000',
      ...dir,
      '--json',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const zone = JSON.parse(added.stdout) as GeoZone;
    assert.deepEqual(zone, {
      id: 'antwerp',
      name: 'Port of Antwerp',
      unlocode: 'BEANR',
      shape: 'circle',
      center: [51.26, 4.4],
      radiusM: 3000,
    });
    const res = await fetch(`${t.node.httpUrl}/api/v1/shipments/${SHIPMENT}/location-events`, {
      headers: { authorization: `Bearer ${t.node.adminToken}` },
    });
    const events = (await res.json()) as LocationEvent[];
    assert.equal(events.length, 1, JSON.stringify(events));
    const stay = events[0] as GeofenceEvent;
    assert.equal(stay.ruleId, 'shipment-geofences');
    assert.equal(stay.zone.unlocode, 'BEANR');
    assert.ok(stay.entry && stay.open, 'entered and still there');

    const listed = await runCli(['geofence', 'list', '--shipment', SHIPMENT, ...dir]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^antwerp {2}Port of Antwerp \(BEANR\) {2}circle 51\.26, 4\.4 r 3000 m$/m);
    const dup = await runCli(['geofence', 'add', '--shipment', SHIPMENT, '--id', 'antwerp', '--circle', '1,2,3', ...dir]);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /zone "antwerp" is already in the geofence set of shipment SHP-GEOFENCE-CLI/);

    const removed = await runCli(['geofence', 'remove', 'antwerp', '--shipment', SHIPMENT, ...dir, '--json']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(JSON.parse(removed.stdout), { removed: 'antwerp' });
    await t.node.monitor.idle();
    assert.deepEqual(t.node.monitor.locationEvents(SHIPMENT), [], 'the stay went with the fence');
    const again = await runCli(['geofence', 'remove', 'antwerp', '--shipment', SHIPMENT, ...dir, '--json']);
    assert.equal(again.code, 1);
    assert.equal((JSON.parse(again.stdout) as { error: { code: string } }).error.code, 'unknown_zone');
  });

  it('takes a GeoJSON polygon (positions [lon, lat]) into the node-wide set', async () => {
    const file = join(t.dataDir, 'kilindini.geojson');
    writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { id: 'mombasa', name: 'Port of Mombasa', unlocode: 'KEMBA' },
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [39.6, -4.1],
                  [39.7, -4.1],
                  [39.7, -4.0],
                  [39.6, -4.0],
                  [39.6, -4.1],
                ],
              ],
            },
          },
        ],
      }),
    );
    const added = await runCli(['geofence', 'add', '--geojson', file, ...dir, '--json']);
    assert.equal(added.code, 0, added.stderr);
    const zone = JSON.parse(added.stdout) as GeoZone & { ring: [number, number][] };
    assert.equal(zone.unlocode, 'KEMBA');
    assert.deepEqual(zone.ring[0], [-4.1, 39.6], 'stored as [lat, lon], the closing vertex dropped');
    assert.equal(zone.ring.length, 4);
    const listed = await runCli(['geofence', 'list', ...dir, '--json']);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as GeoZone[]).map((z) => z.id),
      ['mombasa'],
    );
    // The node-wide set is part of every shipment's rules (this track never reaches Mombasa: no event).
    await t.node.monitor.idle();
    assert.deepEqual(t.node.monitor.locationEvents(SHIPMENT), []);
    assert.equal((await runCli(['geofence', 'remove', 'mombasa', ...dir])).code, 0);
  });

  it('refuses a bad polygon, a bad UN/LOCODE and a malformed shape with exit 2, naming the field', async () => {
    // As a user runs them (exit 2, the field named on stderr) …
    const cli: [string[], RegExp][] = [
      [['--id', 'x', '--polygon', '51,4;51,4.1;51,4'], /bad zone: zone\.ring: must have at least 3 distinct vertices/],
      [
        ['--id', 'x', '--unlocode', 'BE-ANR', '--circle', '51,4,100'],
        /bad zone: zone\.unlocode: must be a UN\/LOCODE such as "NLRTM"/,
      ],
    ];
    for (const [args, message] of cli) {
      const r = await runCli(['geofence', 'add', ...args, ...dir]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    // … and the same check for the other shapes of bad input, without a process each.
    const cases: [Record<string, string>, RegExp][] = [
      [{ id: 'x', polygon: '51,4;51,4.1;north,4' }, /--polygon: expected 2 comma-separated numbers, got "north,4"/],
      [{ id: 'x', unlocode: 'BEAN1', circle: '51,4,100' }, /zone\.unlocode: must be a UN\/LOCODE/],
      [{ id: 'x', circle: '51,4,-5' }, /bad zone: zone\.radiusM/],
      [{ id: 'x', circle: '95,4,100' }, /bad zone: zone\.center/],
      [{ id: 'x', circle: '51,4' }, /--circle: expected 3 comma-separated numbers/],
      [{ id: 'x', circle: '51,4,100', polygon: '1,2;3,4;5,6' }, /give exactly one shape/],
      [{ circle: '51,4,100' }, /--id is required/],
      [{ id: 'x', geojson: join(t.dataDir, 'missing.geojson') }, /GeoJSON file .* does not exist/],
    ];
    for (const [values, message] of cases) {
      assert.throws(
        () => zoneFromFlags(values),
        (err: unknown) => err instanceof CliError && err.exitCode === EXIT.usage && message.test(err.message),
        JSON.stringify(values),
      );
    }
    const json = await runCli(['geofence', 'add', '--id', 'x', '--polygon', '1,2;1,2;1,2', ...dir, '--json']);
    assert.equal(json.code, 2);
    assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, 'bad_zone');
    // The node checks it too (a client that skips the CLI): 400 naming the field.
    const res = await fetch(`${t.node.httpUrl}/api/v1/geofences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.node.adminToken}` },
      body: JSON.stringify({ id: 'x', name: 'X', unlocode: 'xxxxx', shape: 'circle', center: [1, 2], radiusM: 5 }),
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { detail: string }).detail, /^zone\.unlocode: must be a UN\/LOCODE/);
  });

  it('lets a viewer read the sets but not change them', async () => {
    const viewer = (await t.node.access.createCredential('viewer', ['shipments:read'])).token;
    const node = ['--node', t.node.httpUrl, '--token', viewer];
    assert.equal((await runCli(['geofence', 'list', ...node])).code, 0);
    const r = await runCli(['geofence', 'add', '--id', 'x', '--circle', '51,4,100', ...node]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /403/);
  });
});
