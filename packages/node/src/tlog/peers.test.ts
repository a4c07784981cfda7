import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { directoryPeers, StaticPeers } from './peers.js';

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
});
