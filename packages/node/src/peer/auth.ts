// Who is calling: a peer request is accepted only when its RFC 9421 signature
// verifies under the Ed25519 key its organisation published in NodeDirectory,
// that organisation is an active member whose account still set the entry, and
// its nonce is new. Read from the chain on every request (a suspension counts
// from the next request on; inter-node calls are few and batched).
import type { Address } from 'viem';
import { memberRegistryAbi } from '@tradetwin/contracts/generated/index';
import { SignatureError, verifyRequest } from '@tradetwin/core/peer/http-signature';
import type { ChainClients } from '../chain/clients.js';
import { chainCall } from '../chain/errors.js';
import { type NodeEntry, readNode } from '../chain/node-directory.js';
import { PeerError } from './errors.js';
import type { NonceCache } from './replay.js';

export interface PeerCaller {
  orgId: number;
  entry: NodeEntry;
}

export interface PeerAuthDeps {
  clients: ChainClients;
  memberRegistry: Address;
  nodeDirectory: Address;
  nonces: NonceCache;
  now?: () => number;
}

/** Authenticate a request (its body already read) or throw a PeerError (401). */
export async function authenticatePeer(req: Request, body: Uint8Array, deps: PeerAuthDeps): Promise<PeerCaller> {
  let entry: NodeEntry | null = null;
  let params: Awaited<ReturnType<typeof verifyRequest>>;
  const now = (deps.now ?? Date.now)();
  try {
    params = await verifyRequest(
      { method: req.method, url: req.url, body, headers: req.headers },
      async (keyid) => {
        entry = await readNode(deps.clients, deps.nodeDirectory, Number(keyid));
        return entry?.httpSigKey ?? null;
      },
      { now },
    );
  } catch (err) {
    if (err instanceof SignatureError) throw new PeerError(signatureCode(err), err.message);
    throw err;
  }
  const orgId = Number(params.keyid);
  const node = entry as NodeEntry | null;
  if (!node) throw new PeerError('bad_signature', `no node key for org ${orgId}`);
  // The entry's account must still be an account of this organisation, and the organisation active.
  const active = await chainCall('activeOrgOf', () =>
    deps.clients.publicClient.readContract({
      address: deps.memberRegistry,
      abi: memberRegistryAbi,
      functionName: 'activeOrgOf',
      args: [node.publisher],
    }),
  );
  if (Number(active) !== orgId) throw new PeerError('not_a_member', `org ${orgId} is not an active member`);
  deps.nonces.accept(params.keyid, params, now);
  return { orgId, entry: node };
}

function signatureCode(err: SignatureError): PeerError['code'] {
  switch (err.code) {
    case 'unsigned':
      return 'unsigned_request';
    case 'expired_signature':
      return 'expired_signature';
    default:
      return 'bad_signature';
  }
}
