// The chain directory when the chain does not answer: amounts and accounts
// stay raw (null token, the bare address), nothing throws, and the failure is
// not remembered — the next request asks again. (Answers from a real chain:
// cli/shipment.test.ts and demo/demo.test.ts read tUSD and member names.)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { generatePrivateKey } from 'viem/accounts';
import { createChainClients } from './clients.js';
import { ChainDirectory } from './directory.js';

const COVER = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const ACCOUNT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

describe('ChainDirectory without a chain', () => {
  let server: Server;
  let calls = 0;
  let url: string;

  before(async () => {
    // An RPC endpoint that fails every call (a chain node that is up but broken).
    server = createServer((req, res) => {
      calls++;
      req.resume();
      res.writeHead(503).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('answers null for the token and the bare address for an account, and asks again next time', async () => {
    const clients = createChainClients({
      rpcUrl: url,
      chainId: 31337,
      signerKey: generatePrivateKey(),
      gasPrice: 'auto',
      pollingIntervalMs: 100,
    });
    const names = new ChainDirectory(clients, '0x0000000000000000000000000000000000000001');
    assert.equal(await names.coverToken(COVER), null);
    assert.deepEqual(await names.org(ACCOUNT), {
      address: ACCOUNT,
      short: '0x7099…79C8',
      orgId: null,
      name: null,
      label: ACCOUNT,
    });
    const before = calls;
    assert.equal(await names.coverToken(COVER), null);
    assert.ok(calls > before, 'a failed lookup is not cached');
  });
});
