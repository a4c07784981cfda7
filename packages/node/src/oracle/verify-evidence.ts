// An oracle's check of an evidence package, trusting only the chain: the head
// is anchored by the publisher, every leaf is in it, every envelope verifies
// under the key the DeviceRegistry holds, and no reading postdates a
// revocation. What survives is the readings the rules may be run over.
import { type Hex, hexToBytes } from 'viem';
import { leafHash } from '@tradetwin/core/merkle/hash';
import { verifyInclusion } from '@tradetwin/core/merkle/verify';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import { type EvidencedReading, evidencedReadings } from '@tradetwin/core/rules/index';
import { openTelemetry } from '@tradetwin/core/telemetry/envelope';
import type { EvidencePackage } from '../api/evidence.js';

export interface EvidenceChainReads {
  /** LogAnchor.rootAt(publisher, size): null when nothing is anchored at that size. */
  rootAt(publisher: Hex, size: number): Promise<Hex | null>;
  /** DeviceRegistry.device: null when unknown. Times in ms. */
  device(
    deviceId: string,
  ): Promise<{ keyType: 1 | 2; publicKey: Uint8Array; registeredAt: number; revokedAt: number | null } | null>;
}

export class EvidenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvidenceError';
  }
}

export async function verifyEvidence(pkg: EvidencePackage, chain: EvidenceChainReads): Promise<EvidencedReading[]> {
  const anchored = await chain.rootAt(pkg.publisher, pkg.head.size);
  if (!anchored || anchored.toLowerCase() !== pkg.head.root.toLowerCase()) {
    throw new EvidenceError(`head ${pkg.head.size} of ${pkg.publisher} is not anchored with root ${pkg.head.root}`);
  }
  const root = hexToBytes(pkg.head.root);
  const device = await chain.device(pkg.deviceId);
  if (!device) throw new EvidenceError(`device ${pkg.deviceId} is not in the DeviceRegistry`);
  const readings: EvidencedReading[] = [];
  for (const leaf of pkg.leaves) {
    const data = new Uint8Array(Buffer.from(leaf.data, 'base64'));
    const proof = verifyInclusion(
      leaf.index,
      pkg.head.size,
      leafHash(data),
      leaf.path.map((p) => hexToBytes(p)),
      root,
    );
    if (!proof.ok) throw new EvidenceError(`leaf ${leaf.index}: ${proof.reason}`);
    const record = decodeLeaf(data);
    if (record.kind !== 'telemetry') throw new EvidenceError(`leaf ${leaf.index} is not telemetry`);
    const opened = openTelemetry(record.body, (id) => (id === pkg.deviceId ? device : undefined));
    if (!opened.ok) throw new EvidenceError(`leaf ${leaf.index}: ${opened.reason}: ${opened.detail}`);
    // As at ingest and in proof bundles: neither a reading nor the signature may postdate the revocation.
    if (device.revokedAt !== null && opened.msg.lastAt >= device.revokedAt) {
      throw new EvidenceError(`leaf ${leaf.index}: a reading postdates the revocation of ${pkg.deviceId}`);
    }
    if (device.revokedAt !== null && opened.msg.signedAt >= device.revokedAt) {
      throw new EvidenceError(`leaf ${leaf.index}: signed after the revocation of ${pkg.deviceId}`);
    }
    readings.push(...evidencedReadings(opened.msg.payload, leaf.index));
  }
  return readings;
}
