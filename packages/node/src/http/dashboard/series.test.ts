// GET /devices/{id}/series (./series.ts) over signed envelopes in a store, as the node holds them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateDeviceKey } from '@tradetwin/core/device/keys';
import { encodeLeaf } from '@tradetwin/core/proof/leaf';
import { signTelemetry } from '@tradetwin/core/telemetry/envelope';
import type { Reading } from '@tradetwin/core/telemetry/payload';
import type { SeriesResponse } from '@tradetwin/core/series/model';
import { seriesRoutes, type SeriesStore } from './series.js';

const key = { deviceId: 'reefer-1', ...generateDeviceKey(1, new TextEncoder().encode('series-test')) };
const T0 = Date.UTC(2026, 0, 1);

function fixture(envelopes: number, perEnvelope: number): SeriesStore {
  const leaves: Uint8Array[] = [];
  for (let e = 0; e < envelopes; e++) {
    const r: Reading[] = [];
    for (let i = 0; i < perEnvelope; i++) {
      const t = T0 + (e * perEnvelope + i) * 60_000;
      r.push({ t, k: 'temp', v: e === 7 && i === 3 ? 13.5 : 4 + (i % 5) / 10 });
      r.push({ t, k: 'rh', v: 85 });
      if (i === 0) r.push({ t, k: 'pos', v: [51 - e / 100, 4 + e / 100] });
    }
    const ts = r[r.length - 1]!.t;
    leaves.push(
      encodeLeaf({
        kind: 'telemetry',
        receivedAt: ts + 1000,
        body: signTelemetry({ dev: key.deviceId, seq: e + 1, ts, r }, key),
      }),
    );
  }
  return {
    telemetry: async (q) =>
      leaves
        .map((_, index) => ({ index }))
        .filter(() => q.deviceId === key.deviceId)
        .slice(0, q.limit),
    leaf: async (i) => (leaves[i] ? { data: leaves[i] } : null),
  };
}

describe('series route', () => {
  const app = seriesRoutes({ store: fixture(40, 100) });

  it('answers chart columns downsampled min/max, with the reading ids', async () => {
    const res = await app.request('/devices/reefer-1/series?kinds=temp,pos&buckets=50');
    assert.equal(res.status, 200);
    const body = (await res.json()) as SeriesResponse;
    assert.equal(body.series.temp!.total, 4000);
    assert.ok(body.series.temp!.t.length <= 100);
    assert.equal(body.downsampled, true);
    const peak = body.series.temp!.v.indexOf(13.5);
    assert.ok(peak >= 0, 'the spike survives');
    // Reading id = leaf index : position in the envelope (temp, rh, pos at i = 0, then temp, rh per sample).
    assert.equal(body.series.temp!.id[peak], '7:7');
    assert.equal(body.series.rh, undefined, 'only the kinds asked for');
    assert.equal(body.track!.total, 40);
  });

  it('is gzipped for browsers that accept it', async () => {
    const res = await app.request('/devices/reefer-1/series?kinds=temp&buckets=50', {
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    const body = JSON.parse(await new Response(res.body!.pipeThrough(new DecompressionStream('gzip'))).text()) as SeriesResponse;
    assert.equal(body.series.temp!.total, 4000);
  });

  it('limits to a window', async () => {
    const from = T0 + 1000 * 60_000;
    const to = T0 + 1099 * 60_000;
    const body = (await (
      await app.request(`/devices/reefer-1/series?kinds=temp&from=${from}&to=${to}&buckets=1000`)
    ).json()) as SeriesResponse;
    assert.equal(body.series.temp!.total, 100);
    assert.equal(body.series.temp!.t.length, 100);
    assert.equal(body.downsampled, false);
  });

  it('refuses bad parameters with RFC 7807 problems', async () => {
    for (const q of ['kinds=temp,nope', 'buckets=0', 'buckets=x', 'from=10&to=5']) {
      const res = await app.request(`/devices/reefer-1/series?${q}`);
      assert.equal(res.status, 400, q);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
    }
  });
});
