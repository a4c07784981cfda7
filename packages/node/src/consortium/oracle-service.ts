// The organisation's oracle as a node service: asked over HTTP by the member
// that settles a claim (POST /api/v1/oracle/attest), it fetches the evidence
// from the node whose log the policy names — over the network, or from its own
// store when that log is its own — re-verifies it against the chain and signs
// only what it derived itself (oracle/oracle.ts). HttpOracle is the other side:
// the claim aggregator's view of another member's oracle.
import type { Address } from 'viem';
import type { EvidencePackage } from '@tradetwin/core/proof/evidence';
import type { AttestationJson, AttestRequestJson } from '@tradetwin/core/wire/oracle';
import type { ChainClients } from '../chain/clients.js';
import { readPolicy } from '../chain/cover.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { OracleEndpoint } from '../oracle/claims.js';
import { type Attestation, AttestationRefused, type AttestRequest, Oracle } from '../oracle/oracle.js';
import { buildEvidence } from '../proof/evidence.js';
import type { NodeStore } from '../storage/types.js';
import { peerFor } from './peers.js';

export type EvidenceQuery = { deviceId: string; from: number; to: number };

/** An attestation request that is not one (a field missing or malformed): HTTP 400. */
export class AttestRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttestRequestError';
  }
}

/**
 * Where an oracle gets the evidence of `publisher`'s log: this node's own store, or the publisher's
 * node over HTTP with the credential it issued (peers.json).
 *
 * INTEGRATION (i13-peer): the one place to switch to the verified mirror of the publisher's shared
 * records (pulled with RFC 9421 signed requests under a grant), so the oracle works while the
 * publisher's node is down.
 */
export function evidenceSource(deps: {
  dataDir: string;
  self: Address;
  store: NodeStore;
  log: TransparencyLog;
}): (publisher: Address, q: EvidenceQuery) => Promise<EvidencePackage> {
  return async (publisher, q) => {
    if (publisher.toLowerCase() === deps.self.toLowerCase())
      return buildEvidence(q, { store: deps.store, log: deps.log, publisher: deps.self });
    const peer = peerFor(deps.dataDir, publisher);
    if (!peer) throw new AttestationRefused(`no member node known for log publisher ${publisher}`);
    const url = `${peer.url}/api/v1/evidence?deviceId=${encodeURIComponent(q.deviceId)}&from=${q.from}&to=${q.to}`;
    const res = await fetch(url, {
      headers: peer.evidenceToken ? { authorization: `Bearer ${peer.evidenceToken}` } : {},
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new AttestationRefused(`evidence from ${peer.org}'s node: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as EvidencePackage;
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
    // The policy on chain names the log; the evidence is fetched from that log's node.
    const publisher = (await readPolicy(this.opts.clients, req.cover, req.policyId)).terms.logPublisher;
    const oracle = new Oracle({
      name: this.opts.name,
      clients: this.opts.clients,
      contracts: this.opts.contracts,
      fetchEvidence: (q) => this.opts.evidence(publisher, q),
    });
    return oracle.attest(req);
  }
}

/** Another member's oracle, asked over HTTP with the credential it issued (peers.json, read per call). */
export class HttpOracle implements OracleEndpoint {
  constructor(
    readonly name: string,
    private readonly peer: () => { url: string; oracleToken?: string } | undefined,
  ) {}

  async attest(req: AttestRequest): Promise<Attestation> {
    const p = this.peer();
    if (!p) throw new Error(`${this.name}: no node known`);
    const res = await fetch(`${p.url}/api/v1/oracle/attest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(p.oracleToken ? { authorization: `Bearer ${p.oracleToken}` } : {}) },
      body: JSON.stringify(attestRequestJson(req)),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json().catch(() => null)) as (AttestationJson & { detail?: string }) | null;
    if (!res.ok || !body) throw new Error(`${this.name}: HTTP ${res.status}${body?.detail ? ` ${body.detail}` : ''}`);
    return attestationFromJson(body);
  }
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
