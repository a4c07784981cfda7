// The organisation's oracle as a node service: asked by the member that
// settles a claim (POST /peer/v1/oracle/attest, an RFC 9421 request signed by
// that member's node and checked against NodeDirectory and MemberRegistry:
// peer/routes.ts), it takes the evidence of the log the policy names from its
// own store when that log is its own, otherwise from its verified mirror of
// what the log's owner granted it (peer/replicate.ts) — refreshed first when
// the owner's node answers, used as it is when it does not — re-verifies it
// against the chain and signs only what it derived itself (oracle/oracle.ts).
// HttpOracle is the other side: the claim aggregator's view of another
// member's oracle, found in NodeDirectory. No credential passes between
// organisations.
import type { Address } from 'viem';
import type { EvidencePackage } from '@tradetwin/core/proof/evidence';
import type { AttestationJson, AttestRequestJson } from '@tradetwin/core/wire/oracle';
import type { ChainClients } from '../chain/clients.js';
import { readPolicy } from '../chain/cover.js';
import { listNodes, type NodeEntry } from '../chain/node-directory.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { OracleEndpoint } from '../oracle/claims.js';
import { type Attestation, AttestationRefused, type AttestRequest, Oracle } from '../oracle/oracle.js';
import { type PeerClientKey, peerPost } from '../peer/client.js';
import { ReplicationRefused, type Replicator } from '../peer/replicate.js';
import { buildEvidence } from '../proof/evidence.js';
import type { NodeStore } from '../storage/types.js';

export type EvidenceQuery = { deviceId: string; from: number; to: number; shipmentId: string };

/** An attestation request that is not one (a field missing or malformed): HTTP 400. */
export class AttestRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttestRequestError';
  }
}

/**
 * Where an oracle gets the evidence of `publisher`'s log: this node's own store, or its verified mirror
 * of the records the publisher's organisation granted this one. Before reading the mirror, the granted
 * shipment is pulled again (verified against the chain before it is stored); when the owner's node is
 * down or serves something that does not verify, the mirror as last verified is what the oracle uses.
 */
export function evidenceSource(deps: {
  self: Address;
  store: NodeStore;
  log: TransparencyLog;
  replicator: Replicator | null;
  /** The member organisation whose node publishes `publisher`'s log (NodeDirectory); null when none. */
  ownerOf: (publisher: Address) => Promise<number | null>;
  onLog?: (line: string) => void;
}): (publisher: Address, q: EvidenceQuery) => Promise<EvidencePackage> {
  return async (publisher, q) => {
    const window = { deviceId: q.deviceId, from: q.from, to: q.to };
    if (publisher.toLowerCase() === deps.self.toLowerCase())
      return buildEvidence(window, { store: deps.store, log: deps.log, publisher: deps.self });
    const replicator = deps.replicator;
    if (!replicator) throw new AttestationRefused('this node has no NodeDirectory, hence no mirror of another log');
    const owner = await deps.ownerOf(publisher);
    if (owner === null) throw new AttestationRefused(`no member node in NodeDirectory publishes log ${publisher}`);
    try {
      await replicator.pullShipment(owner, q.shipmentId);
    } catch (err) {
      deps.onLog?.(
        `oracle: mirror of org ${owner}'s ${q.shipmentId} not refreshed (${err instanceof Error ? err.message : String(err)}): using it as last verified`,
      );
    }
    try {
      return await replicator.evidence({ ...window, owner });
    } catch (err) {
      if (err instanceof ReplicationRefused)
        throw new AttestationRefused(`no verified evidence of org ${owner} in this node's mirror: ${err.message}`);
      throw err;
    }
  };
}

/** The organisation whose NodeDirectory entry names `publisher` as its log's publisher. */
export function directoryOwnerOf(clients: ChainClients, nodeDirectory: Address): (publisher: Address) => Promise<number | null> {
  return async (publisher) => {
    const nodes = await listNodes(clients, nodeDirectory);
    return nodes.find((n) => n.publisher.toLowerCase() === publisher.toLowerCase())?.orgId ?? null;
  };
}

/** This organisation's oracle, for whichever log a policy names. */
export class NodeOracle implements OracleEndpoint {
  constructor(
    private readonly opts: {
      name: string;
      clients: ChainClients;
      contracts: { deviceRegistry: Address; logAnchor: Address };
      evidence: (publisher: Address, q: EvidenceQuery) => Promise<EvidencePackage>;
    },
  ) {}

  get name(): string {
    return this.opts.name;
  }

  async attest(req: AttestRequest): Promise<Attestation> {
    // The policy on chain names the log; the evidence is that log's.
    const publisher = (await readPolicy(this.opts.clients, req.cover, req.policyId)).terms.logPublisher;
    const oracle = new Oracle({
      name: this.opts.name,
      clients: this.opts.clients,
      contracts: this.opts.contracts,
      fetchEvidence: (q) => this.opts.evidence(publisher, { ...q, shipmentId: req.shipmentId }),
    });
    return oracle.attest(req);
  }
}

/** Another member's oracle, asked at the endpoint its NodeDirectory entry names, with a request signed as this organisation. */
export class HttpOracle implements OracleEndpoint {
  constructor(
    readonly name: string,
    private readonly node: () => Promise<NodeEntry | null>,
    private readonly key: PeerClientKey,
  ) {}

  async attest(req: AttestRequest): Promise<Attestation> {
    const entry = await this.node();
    if (!entry) throw new Error(`${this.name}: no node in NodeDirectory`);
    const res = await peerPost(`${entry.endpoint}/peer/v1/oracle/attest`, attestRequestJson(req), this.key);
    const body = (await res.json().catch(() => null)) as (AttestationJson & { detail?: string }) | null;
    if (!res.ok || !body) throw new Error(`${this.name}: HTTP ${res.status}${body?.detail ? ` ${body.detail}` : ''}`);
    return attestationFromJson(body);
  }
}

/**
 * The other members' oracles, read from NodeDirectory at each claim (a node that registered after this
 * one started is asked too); each is named after its organisation in MemberRegistry.
 */
export async function directoryOracles(deps: {
  clients: ChainClients;
  nodeDirectory: Address;
  orgId: number;
  key: PeerClientKey;
  nameOf: (orgId: number) => Promise<string>;
}): Promise<OracleEndpoint[]> {
  const nodes = (await listNodes(deps.clients, deps.nodeDirectory)).filter((n) => n.orgId !== deps.orgId);
  return Promise.all(nodes.map(async (n) => new HttpOracle(await deps.nameOf(n.orgId), async () => n, deps.key)));
}

export function attestRequestJson(r: AttestRequest): AttestRequestJson {
  return { ...r };
}

/** A request body as the route receives it, checked field by field. */
export function attestRequestFromJson(b: Record<string, unknown>): AttestRequest {
  const hex = (v: unknown, bytes: number) => typeof v === 'string' && new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`).test(v);
  const int = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const str = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 200;
  const w = b.window as { from?: unknown; to?: unknown } | undefined;
  const bad = (field: string) => new AttestRequestError(field);
  if (!hex(b.cover, 20)) throw bad('cover must be a 20-byte 0x address');
  if (!int(b.policyId)) throw bad('policyId must be a whole number');
  if (!str(b.shipmentId) || !str(b.ruleId) || !str(b.deviceId)) throw bad('shipmentId, ruleId and deviceId are required');
  if (!hex(b.excursionId, 32)) throw bad('excursionId must be 32 bytes of 0x-hex');
  if (!w || !int(w.from) || !int(w.to) || (w.to as number) < (w.from as number)) throw bad('window must be {from, to} in ms');
  if (typeof b.nonce !== 'string' || !/^\d{1,78}$/.test(b.nonce)) throw bad('nonce must be a decimal uint256');
  if (!int(b.deadline)) throw bad('deadline must be seconds');
  return {
    cover: b.cover as Address,
    policyId: b.policyId as number,
    shipmentId: b.shipmentId as string,
    ruleId: b.ruleId as string,
    deviceId: b.deviceId as string,
    excursionId: b.excursionId as `0x${string}`,
    window: { from: w.from as number, to: w.to as number },
    nonce: b.nonce,
    deadline: b.deadline as number,
  };
}

export function attestationJson(a: Attestation, org: string): AttestationJson {
  const x = a.attestation;
  return {
    attestation: {
      policyId: x.policyId.toString(),
      excursionId: x.excursionId,
      startedAt: x.startedAt.toString(),
      endedAt: x.endedAt.toString(),
      minutesOutside: x.minutesOutside,
      peakCentiC: x.peakCentiC,
      logPublisher: x.logPublisher,
      logSize: x.logSize.toString(),
      logRoot: x.logRoot,
      nonce: x.nonce.toString(),
      deadline: x.deadline.toString(),
    },
    signature: a.signature,
    signer: a.signer,
    org,
  };
}

export function attestationFromJson(j: AttestationJson): Attestation {
  const x = j.attestation;
  return {
    attestation: {
      policyId: BigInt(x.policyId),
      excursionId: x.excursionId,
      startedAt: BigInt(x.startedAt),
      endedAt: BigInt(x.endedAt),
      minutesOutside: x.minutesOutside,
      peakCentiC: x.peakCentiC,
      logPublisher: x.logPublisher,
      logSize: BigInt(x.logSize),
      logRoot: x.logRoot,
      nonce: BigInt(x.nonce),
      deadline: BigInt(x.deadline),
    },
    signature: j.signature,
    signer: j.signer,
  };
}
