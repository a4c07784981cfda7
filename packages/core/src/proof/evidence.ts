// An evidence package: every leaf holding a device's readings in a time window,
// each with its inclusion proof to one head already anchored on chain. A node
// builds it (node api/evidence.ts); an oracle of another organisation checks
// it here trusting only the chain: the head is anchored by the publisher, every
// leaf is in it, every envelope verifies under the key the DeviceRegistry
// holds, and no reading postdates a revocation. What survives is the readings
// the rules may be run over. Pure and isomorphic; the chain is read through callbacks.
import { type Hex, hexToBytes } from 'viem';
import { leafHash } from '../merkle/hash.js';
import { verifyInclusion } from '../merkle/verify.js';
import { type EvidencedReading, evidencedReadings } from '../rules/index.js';
import { openTelemetry } from '../telemetry/envelope.js';
import { fromBase64 } from './bundle.js';
import { decodeLeaf } from './leaf.js';

export interface EvidencePackage {
  deviceId: string;
  from: number;
  to: number;
  /** The LogAnchor publisher (the serving node's account) and the anchored head every proof leads to. */
  publisher: Hex;
  head: { size: number; root: Hex; timestamp: number; txHash: string | null };
  leaves: { index: number; data: string; path: Hex[] }[];
}

export interface EvidenceChainReads {
  /** LogAnchor.rootAt(publisher, size): null when nothing is anchored at that size. */
  rootAt(publisher: Hex, size: number): Promise<Hex | null>;
  /** DeviceRegistry.device: null when unknown. Times in ms. */
  device(
    deviceId: string,
  ): Promise<{ keyType: 1 | 2; publicKey: Uint8Array; registeredAt: number; revokedAt: number | null } | null>;
}

/** Why a package does not verify. */
export type EvidenceErrorCode = 'not_anchored' | 'unknown_device' | 'not_included' | 'not_telemetry' | 'bad_envelope' | 'revoked';

export class EvidenceError extends Error {
  constructor(
    readonly code: EvidenceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EvidenceError';
  }
}

export async function verifyEvidence(pkg: EvidencePackage, chain: EvidenceChainReads): Promise<EvidencedReading[]> {
  const anchored = await chain.rootAt(pkg.publisher, pkg.head.size);
  if (!anchored || anchored.toLowerCase() !== pkg.head.root.toLowerCase()) {
    throw new EvidenceError(
      'not_anchored',
      `head ${pkg.head.size} of ${pkg.publisher} is not anchored with root ${pkg.head.root}`,
    );
  }
  const root = hexToBytes(pkg.head.root);
  const device = await chain.device(pkg.deviceId);
  if (!device) throw new EvidenceError('unknown_device', `device ${pkg.deviceId} is not in the DeviceRegistry`);
  const readings: EvidencedReading[] = [];
  for (const leaf of pkg.leaves) {
    let data: Uint8Array;
    try {
      data = fromBase64(leaf.data);
    } catch {
      throw new EvidenceError('not_included', `leaf ${leaf.index}: data is not base64`);
    }
    const proof = verifyInclusion(
      leaf.index,
      pkg.head.size,
      leafHash(data),
      leaf.path.map((p) => hexToBytes(p)),
      root,
    );
    if (!proof.ok) throw new EvidenceError('not_included', `leaf ${leaf.index}: ${proof.reason}`);
    const record = decodeLeaf(data);
    if (record.kind !== 'telemetry') throw new EvidenceError('not_telemetry', `leaf ${leaf.index} is not telemetry`);
    const opened = openTelemetry(record.body, (id) => (id === pkg.deviceId ? device : undefined));
    if (!opened.ok) throw new EvidenceError('bad_envelope', `leaf ${leaf.index}: ${opened.reason}: ${opened.detail}`);
    // As at ingest and in proof bundles: neither a reading nor the signature may postdate the revocation.
    if (device.revokedAt !== null && opened.msg.lastAt >= device.revokedAt) {
      throw new EvidenceError('revoked', `leaf ${leaf.index}: a reading postdates the revocation of ${pkg.deviceId}`);
    }
    if (device.revokedAt !== null && opened.msg.signedAt >= device.revokedAt) {
      throw new EvidenceError('revoked', `leaf ${leaf.index}: signed after the revocation of ${pkg.deviceId}`);
    }
    readings.push(...evidencedReadings(opened.msg.payload, leaf.index));
  }
  return readings;
}
