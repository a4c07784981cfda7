import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { encodeVerifierKey, SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519 } from '@tradetwin/core/tlog/note';
import { cachedPeers, directoryPeers, filePeers, StaticPeers } from './peers.js';

describe('peer resolvers', () => {
  it('the NodeDirectory adapter maps entries to peers, leaving out this node and entries without a log', async () => {
    const key = `0x${'ab'.repeat(32)}` as const;
    const peers = directoryPeers(
      async () => [
        { orgId: 1n, endpoint: 'http://a', logOrigin: 'a.test/log', checkpointKey: key },
        { orgId: 2n, endpoint: 'http://b', logOrigin: 'me.test/log', checkpointKey: key },
        { orgId: 3n, endpoint: '', logOrigin: '', checkpointKey: key },
        { orgId: 4n, endpoint: '', logOrigin: 'd.test/log', checkpointKey: key },
      ],
      'me.test/log',
    );
    const got = await peers();
    assert.deepEqual(
      got.map((p) => [p.orgId, p.endpoint, p.origin]),
      [
        [1, 'http://a', 'a.test/log'],
        [4, null, 'd.test/log'],
      ],
    );
    assert.equal(got[0]!.checkpointKey.length, 32);
  });

  it('a static list can be set and added to at run time', async () => {
    const s = new StaticPeers();
    assert.deepEqual(await s.resolve(), []);
    s.add({ orgId: 1, endpoint: null, origin: 'x', checkpointKey: new Uint8Array(32) });
    s.add({ orgId: 1, endpoint: 'http://x', origin: 'x', checkpointKey: new Uint8Array(32) });
    assert.deepEqual(
      (await s.resolve()).map((p) => p.endpoint),
      ['http://x'],
    );
  });

  it('a peers file (node.json vkeys) is read, re-read when it changes, and refused when broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-peers-'));
    try {
      const path = join(dir, 'witness-peers.json');
      const resolve = filePeers(path);
      assert.deepEqual(await resolve(), []);
      const pk = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
      writeFileSync(
        path,
        JSON.stringify([
          { orgId: 2, endpoint: 'http://127.0.0.1:9', logVkey: encodeVerifierKey('b.test/log', SIG_TYPE_ED25519, pk) },
        ]),
      );
      const [p] = await resolve();
      assert.equal(p?.origin, 'b.test/log');
      assert.deepEqual(p?.checkpointKey, pk);
      writeFileSync(
        path,
        JSON.stringify([{ endpoint: null, logVkey: encodeVerifierKey('b.test/log/witness', SIG_TYPE_COSIGNATURE_V1, pk) }]),
      );
      await assert.rejects(resolve(), /not an Ed25519 note key/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a cached resolver reads at most once per ttl, and keeps the last list while reads fail (chain down)', async () => {
    let t = 0;
    let reads = 0;
    let down = false;
    const peer = (origin: string) => ({ orgId: 1, endpoint: 'http://x', origin, checkpointKey: new Uint8Array(32) });
    let list = [peer('a')];
    const cached = cachedPeers(
      async () => {
        reads++;
        if (down) throw new Error('chain unreachable');
        return list;
      },
      1000,
      () => t,
    );
    down = true;
    await assert.rejects(cached(), /chain unreachable/, 'nothing known yet: the failure shows');
    down = false;
    assert.deepEqual(
      (await cached()).map((p) => p.origin),
      ['a'],
    );
    await cached();
    assert.equal(reads, 2, 'within the ttl: not read again');
    down = true;
    t = 5000;
    assert.deepEqual(
      (await cached()).map((p) => p.origin),
      ['a'],
      'the last list stands while reads fail',
    );
    assert.equal(reads, 3, 'it did try');
    down = false;
    list = [peer('a'), peer('b')];
    assert.deepEqual(
      (await cached()).map((p) => p.origin),
      ['a', 'b'],
      'and is replaced by the next good read',
    );
  });
});
