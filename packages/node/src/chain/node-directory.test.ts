// NodeDirectory on a real chain: every member node registers itself at start
// (endpoint and its Ed25519 keys), peers read it, a non-member cannot write,
// and an organisation without a node reads as null.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEV_ACCOUNTS } from '@tradetwin/contracts/devchain';
import { createChainClients } from './clients.js';
import { ChainError } from './errors.js';
import { listNodes, readNode, setNode } from './node-directory.js';
import { startTestConsortium, type TestConsortium } from '../test-support/consortium.js';

let c: TestConsortium;
before(async () => {
  c = await startTestConsortium(['Carrier A', 'Insurer B']);
});
after(() => c.dispose());

describe('NodeDirectory', () => {
  it('holds each member node as it registered itself at start', async () => {
    const [a, b] = c.nodes.map((t) => t.node);
    const dir = a!.contracts.nodeDirectory!;
    assert.equal(b!.contracts.nodeDirectory, dir, 'one directory for the consortium');
    const entryB = await readNode(a!.clients, dir, b!.orgId);
    assert.ok(entryB);
    assert.equal(entryB.endpoint, b!.httpUrl);
    assert.deepEqual(entryB.httpSigKey, b!.peerKeys.httpSig.publicKey);
    assert.deepEqual(entryB.checkpointKey, b!.peerKeys.checkpoint.publicKey);
    assert.equal(entryB.publisher.toLowerCase(), b!.address.toLowerCase());
    const all = await listNodes(a!.clients, dir);
    assert.deepEqual(
      all.map((n) => n.orgId),
      [1, 2],
    );
  });

  it('takes entries written back to back (several in one second)', async () => {
    const a = c.nodes[0]!.node;
    const entry = (endpoint: string) => ({
      endpoint,
      httpSigKey: a.peerKeys.httpSig.publicKey,
      logOrigin: a.directoryEntry!.logOrigin,
      checkpointKey: a.peerKeys.checkpoint.publicKey,
    });
    for (const url of ['http://127.0.0.1:1', a.httpUrl, 'http://127.0.0.1:2', a.httpUrl, a.httpUrl]) {
      await setNode(a.clients, a.contracts.nodeDirectory!, entry(url));
    }
    assert.equal((await readNode(a.clients, a.contracts.nodeDirectory!, a.orgId))?.endpoint, a.httpUrl);
  });

  it('reads an organisation without a node as null', async () => {
    const a = c.nodes[0]!.node;
    assert.equal(await readNode(a.clients, a.contracts.nodeDirectory!, 99), null);
  });

  it('refuses an entry from an account that is no active member', async () => {
    const a = c.nodes[0]!.node;
    const outsider = createChainClients({
      rpcUrl: c.chain.rpcUrl,
      chainId: 31337,
      signerKey: DEV_ACCOUNTS[4]!,
      gasPrice: 'auto',
      pollingIntervalMs: 50,
    });
    const key = new Uint8Array(32).fill(7);
    await assert.rejects(
      setNode(outsider, a.contracts.nodeDirectory!, {
        endpoint: 'http://x',
        httpSigKey: key,
        logOrigin: 'x',
        checkpointKey: key,
      }),
      (err: unknown) => err instanceof ChainError && /NotActiveMember/.test(err.message),
    );
  });
});
