// Shared by the peer tests: a partner node that serves the owner's real answers,
// altered in transit (listOwnerAt points the owner's directory entry at it), and
// a bounded wait for what happens asynchronously.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PeerShipmentJson } from '@tradetwin/core/wire/peer';
import { setNode } from '../chain/node-directory.js';
import type { RunningNode } from '../node.js';

export interface TamperingPartner<M extends string> {
  url: string;
  /** How the next answers are altered; set it between pulls. */
  mode: M;
  close(): Promise<void>;
}

/**
 * A partner that answers every request with the owner's real response (`real(path)`, asked as the
 * grantee), altered by `alter` according to the current mode.
 */
export async function tamperingPartner<M extends string>(
  mode: M,
  real: (path: string) => Promise<Response>,
  alter: (body: PeerShipmentJson, mode: M) => void | Promise<void>,
): Promise<TamperingPartner<M>> {
  const state = { mode };
  const server: Server = createServer((req, res) => {
    const now = state.mode;
    void (async () => {
      const body = (await (await real(req.url ?? '/')).json()) as PeerShipmentJson;
      await alter(body, now);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}

/** Point the owner's NodeDirectory entry (its own keys and log origin) at `endpoint`: partners then ask there. */
export async function listOwnerAt(owner: RunningNode, endpoint: string): Promise<void> {
  await setNode(owner.clients, owner.contracts.nodeDirectory!, {
    endpoint,
    httpSigKey: owner.peerKeys.httpSig.publicKey,
    logOrigin: owner.directoryEntry!.logOrigin,
    checkpointKey: owner.peerKeys.checkpoint.publicKey,
  });
}

export async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) assert.fail('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
