// The node API against a real node: proofs that verify with core's RFC 9162
// code, problem bodies for bad parameters, and an OpenAPI document that
// describes every route the app serves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hexToBytes, type Hex } from 'viem';
import { verifyConsistency, verifyInclusion } from '@tradetwin/core/merkle/verify';
import { deviceKey, envelope, startTestNode, type TestNode } from '../test-support/node-fixture.js';
import { createApp } from './app.js';
import type { openApiDocument } from './openapi.js';

let t: TestNode;
const key = deviceKey('reefer-api-1', 2);
const get = async <T>(path: string) => {
  // As the operator (the data dir's admin token): these routes are not public.
  const res = await fetch(`${t.node.httpUrl}${path}`, { headers: { authorization: `Bearer ${t.node.adminToken}` } });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as T };
};

before(async () => {
  t = await startTestNode();
  assert.equal((await t.register(key)).status, 201);
  assert.equal((await t.post(Array.from({ length: 40 }, (_, i) => envelope(key, i + 1, { n: 3 })))).status, 200);
  await t.node.anchorer.anchorNow();
  assert.equal((await t.post(Array.from({ length: 30 }, (_, i) => envelope(key, i + 41)))).status, 200);
  await t.node.anchorer.anchorNow();
});
after(() => t.dispose());

const bytes = (h: string) => hexToBytes(h as Hex);

describe('node API', () => {
  it('serves inclusion proofs that verify against the signed head', async () => {
    const head = (await get<{ size: number; root: string }>('/api/v1/log/head')).body;
    assert.equal(head.size, 70);
    for (const index of [0, 1, 37, 69]) {
      const leaf = (await get<{ hash: string }>(`/api/v1/log/leaves/${index}`)).body;
      const proof: { path: string[]; root: string } = (
        await get<{ path: string[]; root: string }>(`/api/v1/log/proof/inclusion?index=${index}&size=${head.size}`)
      ).body;
      assert.equal(proof.root, head.root);
      assert.deepEqual(verifyInclusion(index, head.size, bytes(leaf.hash), proof.path.map(bytes), bytes(head.root)), {
        ok: true,
      });
    }
  });

  it('serves consistency proofs between the anchored heads', async () => {
    const heads = (await get<{ size: number; root: string }[]>('/api/v1/log/heads')).body;
    assert.ok(heads.length >= 2);
    const [newer, older] = [heads[0]!, heads[heads.length - 1]!];
    const p = (await get<{ path: string[] }>(`/api/v1/log/proof/consistency?from=${older.size}&to=${newer.size}`)).body;
    assert.deepEqual(verifyConsistency(older.size, newer.size, bytes(older.root), bytes(newer.root), p.path.map(bytes)), {
      ok: true,
    });
    const anchors = (await get<{ size: number; status: string; txHash: string }[]>('/api/v1/anchors')).body;
    assert.ok(anchors.some((a) => a.size === newer.size && a.status === 'confirmed' && /^0x[0-9a-f]{64}$/.test(a.txHash)));
  });

  it('serves a device readings window with reading ids that resolve to bundles', async () => {
    const r = (
      await get<{ readings: { id: string; k: string; v: number }[] }>(`/api/v1/devices/${key.deviceId}/readings?limit=500`)
    ).body;
    assert.equal(r.readings.length, 40 * 3 + 30);
    const bundle = await get<{ readingId: string; anchor: { txHash: string } | null }>(
      `/api/v1/readings/${r.readings[4]!.id}/bundle`,
    );
    assert.equal(bundle.status, 200);
    assert.equal(bundle.body.readingId, r.readings[4]!.id);
    assert.ok(bundle.body.anchor?.txHash);
  });

  it('answers bad parameters and missing things with RFC 7807 problems', async () => {
    const cases: [string, number, string][] = [
      ['/api/v1/log/leaves/abc', 400, 'bad_parameter'],
      ['/api/v1/log/leaves/70', 404, 'no_such_leaf'],
      ['/api/v1/log/proof/inclusion', 400, 'missing_parameter'],
      ['/api/v1/log/proof/inclusion?index=5&size=3', 400, 'bad_range'],
      ['/api/v1/log/proof/consistency?from=9&to=4', 400, 'bad_range'],
      ['/api/v1/readings/nonsense/bundle', 400, 'bad_reading_id'],
      ['/api/v1/readings/3:9/bundle', 404, 'no_such_reading'],
      ['/api/v1/devices/ghost', 404, 'unknown_device'],
      ['/api/v1/nowhere', 404, 'not_found'],
    ];
    for (const [path, status, code] of cases) {
      const res = await get<{ type: string; status: number }>(path);
      assert.equal(res.status, status, path);
      assert.equal(res.type, 'application/problem+json', path);
      assert.equal(res.body.type, `https://tradetwin.dev/problems/${code}`, path);
      assert.equal(res.body.status, status, path);
    }
  });

  it('describes every route it serves in its OpenAPI 3.1 document', async () => {
    const served = (await get<ReturnType<typeof openApiDocument>>('/openapi.json')).body;
    assert.equal(served.openapi, '3.1.0');
    const app = createApp({
      ...({} as Parameters<typeof createApp>[0]),
      chain: { rpcUrl: t.node.rpcUrl } as Parameters<typeof createApp>[0]['chain'],
      access: t.node.access,
    });
    const described = served.paths as Record<string, Record<string, unknown>>;
    assert.ok(app.routes.filter((r) => r.method !== 'ALL').length >= 15, 'the app exposes its routes');
    for (const r of app.routes) {
      if (r.method === 'ALL') continue; // middleware
      const path = r.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '');
      assert.ok(described[path]?.[r.method.toLowerCase()], `${r.method} ${path} is described`);
    }
  });
});
