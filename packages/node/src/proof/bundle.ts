// Builds the proof bundle of one reading (core/proof/bundle.ts): the device
// envelope, its leaf, an inclusion proof to a signed tree head, and where that
// head was anchored. The head chosen is the newest one already confirmed on
// chain that covers the leaf; before any such anchor, the newest signed head
// (the bundle then says anchor: null and verifiers report "not yet anchored").
import { bytesToHex, type Hex } from 'viem';
import { deviceIdHash } from '@tradetwin/core/device/keys';
import { BUNDLE_VERSION, type ProofBundle, parseReadingId, toBase64 } from '@tradetwin/core/proof/bundle';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { NodeStore, SignedTreeHead } from '../storage/types.js';
import { formatTlogProof } from '@tradetwin/core/tlog/tlog-proof';
import type { NodeTlog } from '../tlog/index.js';
import { ProofError } from './errors.js';

export interface ChainLocation {
  chainId: number;
  logAnchor: Hex;
  deviceRegistry: Hex;
}

export async function buildProofBundle(
  readingId: string,
  deps: { store: NodeStore; log: TransparencyLog; chain: ChainLocation; tlog?: NodeTlog },
): Promise<ProofBundle> {
  const id = parseReadingId(readingId);
  if (!id) throw new ProofError('bad_reading_id', `reading id "${readingId}" is not of the form <leafIndex>:<position>`);
  const { store, log } = deps;
  const leaf = id.leafIndex < log.size ? await store.leaf(id.leafIndex) : null;
  if (!leaf) throw new ProofError('no_such_leaf', `leaf ${id.leafIndex} is not in this node's log (size ${log.size})`);
  const record = decodeLeaf(leaf.data);
  if (record.kind !== 'telemetry') {
    throw new ProofError('not_telemetry', `leaf ${id.leafIndex} holds a ${record.kind} record, not telemetry`);
  }
  const tel = await store.telemetryAt(id.leafIndex);
  if (!tel) throw new ProofError('index_missing', `leaf ${id.leafIndex} has no telemetry index row`);
  if (id.position >= tel.readings) {
    throw new ProofError('no_such_reading', `envelope at leaf ${id.leafIndex} holds ${tel.readings} readings`);
  }
  const device = await store.device(tel.deviceId);
  if (!device) throw new ProofError('device_missing', `device ${tel.deviceId} is not in the local registry cache`);

  const { head, anchor } = await coveringHead(store, log, id.leafIndex);
  const path = await log.inclusionProof(id.leafIndex, head.size);
  const tlog = deps.tlog ? await tlogProof(deps.tlog, log, id.leafIndex) : null;
  return {
    version: BUNDLE_VERSION,
    readingId: `${id.leafIndex}:${id.position}`,
    envelope: toBase64(record.body),
    device: {
      id: device.deviceId,
      idHash: deviceIdHash(device.deviceId),
      keyType: device.keyType,
      publicKey: bytesToHex(device.publicKey),
    },
    leaf: { index: id.leafIndex, data: toBase64(leaf.data), hash: bytesToHex(leaf.hash) },
    inclusion: { treeSize: head.size, path: path.map((p) => bytesToHex(p)) },
    treeHead: {
      size: head.size,
      root: bytesToHex(head.root),
      timestamp: head.timestamp,
      signature: bytesToHex(head.signature),
      signer: head.signer as Hex,
    },
    anchor: anchor
      ? {
          chainId: deps.chain.chainId,
          logAnchor: deps.chain.logAnchor,
          deviceRegistry: deps.chain.deviceRegistry,
          publisher: head.signer as Hex,
          txHash: anchor.txHash as Hex | null,
          blockNumber: anchor.blockNumber,
        }
      : null,
    ...(tlog ? { tlog } : {}),
  };
}

/** The leaf's tlog-proof against the latest checkpoint with cosignatures collected, when one covers it. */
async function tlogProof(t: NodeTlog, log: TransparencyLog, leafIndex: number): Promise<string | null> {
  const cosigned = await t.store.latestCosigned();
  if (!cosigned || cosigned.size <= leafIndex || cosigned.size > log.size) return null;
  const inclusion = await log.inclusionProof(leafIndex, cosigned.size);
  return formatTlogProof({ extra: null, index: leafIndex, inclusion, checkpoint: cosigned.note });
}

async function coveringHead(
  store: NodeStore,
  log: TransparencyLog,
  leafIndex: number,
): Promise<{ head: SignedTreeHead; anchor: { txHash: string | null; blockNumber: number | null } | null }> {
  const confirmed = await store.latestConfirmedAnchor();
  if (confirmed && confirmed.size > leafIndex) {
    const head = await store.head(confirmed.size);
    if (head) return { head, anchor: confirmed };
  }
  let head = await store.latestHead();
  // No head covers this leaf yet (it arrived after the last checkpoint): sign one now.
  if (!head || head.size <= leafIndex) head = await log.signHead();
  return { head, anchor: null };
}
