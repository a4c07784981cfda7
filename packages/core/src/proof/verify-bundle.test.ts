import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { decodeSign1, encodeSign1 } from '../cose/sign1.js';
import { deviceIdHash, type DeviceKey, generateDeviceKey } from '../device/keys.js';
import { leafHash } from '../merkle/hash.js';
import { inclusionProof, memorySubtree, treeRoot } from '../merkle/proof.js';
import { signTelemetry } from '../telemetry/envelope.js';
import { encodePayload } from '../telemetry/payload.js';
import { BUNDLE_VERSION, type ProofBundle, toBase64 } from './bundle.js';
import { treeHeadDigest } from './head.js';
import { encodeLeaf } from './leaf.js';
import {
  type BundleCheckName,
  BUNDLE_CHECKS,
  type RegisteredDevice,
  verifyBundle,
  type VerifyBundleOptions,
} from './verify-bundle.js';

const T0 = 1_764_000_000_000;
const node = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const intruder = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const device: DeviceKey = { deviceId: 'reefer-7', ...generateDeviceKey(1, new TextEncoder().encode('reefer-7')) };
const LOG_ANCHOR: Hex = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const REGISTRY: Hex = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';

const payload = {
  dev: device.deviceId,
  seq: 12,
  ts: T0 + 60_000,
  r: [
    { t: T0, k: 'temp' as const, v: 4.5 },
    { t: T0 + 30_000, k: 'pos' as const, v: [53.44451, -2.925173] as [number, number] },
    { t: T0 + 59_000, k: 'door' as const, v: 1 },
  ],
};
const envelope = signTelemetry(payload, device);
const LEAF_INDEX = 6;
const TREE_SIZE = 11;

/** A log of 11 leaves with the envelope's leaf at index 6, a head signed by `node`, anchored. */
async function buildBundle(): Promise<{ bundle: ProofBundle; root: Hex }> {
  const leafData = encodeLeaf({ kind: 'telemetry', receivedAt: T0 + 61_000, body: envelope });
  const leaves = Array.from({ length: TREE_SIZE }, (_, i) =>
    i === LEAF_INDEX
      ? leafHash(leafData)
      : leafHash(encodeLeaf({ kind: 'epcis', receivedAt: T0 + i, body: new Uint8Array([i]) })),
  );
  const sub = memorySubtree(leaves);
  const root = bytesToHex(treeRoot(TREE_SIZE, sub));
  const head = { size: TREE_SIZE, root, timestamp: T0 + 62_000 };
  const signature = await node.signMessage({ message: { raw: treeHeadDigest(head) } });
  const bundle: ProofBundle = {
    version: BUNDLE_VERSION,
    readingId: `${LEAF_INDEX}:1`,
    envelope: toBase64(envelope),
    device: { id: device.deviceId, idHash: deviceIdHash(device.deviceId), keyType: 1, publicKey: bytesToHex(device.publicKey) },
    leaf: { index: LEAF_INDEX, data: toBase64(leafData), hash: bytesToHex(leafHash(leafData)) },
    inclusion: { treeSize: TREE_SIZE, path: inclusionProof(LEAF_INDEX, TREE_SIZE, sub).map((h) => bytesToHex(h)) },
    treeHead: { ...head, signature, signer: node.address },
    anchor: {
      chainId: 31337,
      logAnchor: LOG_ANCHOR,
      deviceRegistry: REGISTRY,
      publisher: node.address,
      txHash: null,
      blockNumber: 42,
    },
  };
  return { bundle, root };
}

/** A chain where `root` is anchored by `node` at size 11 and the device is registered, optionally revoked. */
function chain(root: Hex, registered: Partial<RegisteredDevice> | null = {}): Required<VerifyBundleOptions> {
  return {
    readAnchor: async (a) => {
      assert.equal(a.logAnchor, LOG_ANCHOR);
      return a.publisher.toLowerCase() === node.address.toLowerCase() && a.size === TREE_SIZE ? root : null;
    },
    readDevice: async (d) => {
      assert.equal(d.deviceRegistry, REGISTRY);
      if (registered === null || d.idHash !== deviceIdHash(device.deviceId)) return null;
      return { keyType: 1, publicKey: bytesToHex(device.publicKey), revokedAt: null, ...registered };
    },
  };
}

const failing = (r: { checks: { name: BundleCheckName; ok: boolean; skipped?: true }[] }) =>
  r.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.name);
const detailOf = (r: { checks: { name: BundleCheckName; detail: string }[] }, name: BundleCheckName) =>
  r.checks.find((c) => c.name === name)!.detail;

describe('verifyBundle', async () => {
  const { bundle, root } = await buildBundle();

  it('passes every named check for an honest, anchored bundle', async () => {
    const r = await verifyBundle(bundle, chain(root));
    assert.deepEqual(
      r.checks.map((c) => c.name),
      [...BUNDLE_CHECKS],
    );
    assert.deepEqual(failing(r), []);
    assert.equal(r.ok, true);
    assert.equal(r.complete, true);
    assert.deepEqual(r.reading, payload.r[1]);
    assert.match(detailOf(r, 'reading'), /reading 1 of 3: pos = \[53\.44451, -2\.925173\] at 2025-11-24T/);
    assert.match(detailOf(r, 'envelope'), /P-256\/ES256 signature of device reefer-7 verifies \(seq 12, 3 readings\)/);
    assert.match(detailOf(r, 'anchor'), /block 42/);
  });

  it('survives a JSON round trip (what the CLI and the browser read)', async () => {
    const r = await verifyBundle(JSON.parse(JSON.stringify(bundle)) as ProofBundle, chain(root));
    assert.equal(r.ok, true);
  });

  it('without chain access: anchor and device are skipped, not failed', async () => {
    const r = await verifyBundle(bundle);
    assert.equal(r.ok, true);
    assert.equal(r.complete, false);
    assert.deepEqual(
      r.checks.filter((c) => c.skipped).map((c) => c.name),
      ['anchor', 'device'],
    );
    assert.match(detailOf(r, 'anchor'), /not checked \(no chain access\)/);
  });

  it('a bundle without an anchor fails the anchor check: not yet anchored', async () => {
    const r = await verifyBundle({ ...bundle, anchor: null }, chain(root));
    assert.deepEqual(failing(r), ['anchor']);
    assert.match(detailOf(r, 'anchor'), /^not yet anchored/);
    assert.equal(r.ok, false);
  });

  it('a changed reading breaks the envelope signature and the leaf', async () => {
    const env = decodeSign1(envelope);
    const forged = encodePayload({
      ...payload,
      r: [payload.r[0]!, { t: T0 + 30_000, k: 'pos', v: [48.85, 2.35] }, payload.r[2]!],
    });
    const tampered = encodeSign1({ alg: env.alg, kid: env.kid, payload: forged, signature: env.signature });
    const r = await verifyBundle({ ...bundle, envelope: toBase64(tampered) }, chain(root));
    assert.deepEqual(failing(r), ['envelope', 'leaf']);
    assert.match(detailOf(r, 'envelope'), /^bad_signature: /);
    assert.match(detailOf(r, 'leaf'), /leaf body is not the bundle's envelope/);
  });

  it('a changed leaf (with its hash recomputed) is not in the tree', async () => {
    const leafData = encodeLeaf({ kind: 'telemetry', receivedAt: T0 + 1, body: envelope });
    const r = await verifyBundle(
      { ...bundle, leaf: { ...bundle.leaf, data: toBase64(leafData), hash: bytesToHex(leafHash(leafData)) } },
      chain(root),
    );
    assert.deepEqual(failing(r), ['inclusion']);
    assert.match(detailOf(r, 'inclusion'), /does not lead to the tree head root/);
    // Keeping the old hash instead: the hash no longer matches the leaf either.
    const r2 = await verifyBundle({ ...bundle, leaf: { ...bundle.leaf, data: toBase64(leafData) } }, chain(root));
    assert.deepEqual(failing(r2), ['leaf-hash', 'inclusion']);
  });

  it('a wrong leaf index fails the inclusion proof (and the reading id, unless changed too)', async () => {
    const r = await verifyBundle({ ...bundle, leaf: { ...bundle.leaf, index: 5 }, readingId: '5:1' }, chain(root));
    assert.deepEqual(failing(r), ['inclusion']);
    const r2 = await verifyBundle({ ...bundle, leaf: { ...bundle.leaf, index: 5 } }, chain(root));
    assert.deepEqual(failing(r2), ['reading', 'inclusion']);
    assert.match(detailOf(r2, 'reading'), /reading id 6:1 names leaf 6, the bundle's leaf is 5/);
  });

  it('a reading position outside the envelope fails the reading check', async () => {
    const r = await verifyBundle({ ...bundle, readingId: '6:3' }, chain(root));
    assert.deepEqual(failing(r), ['reading']);
    assert.match(detailOf(r, 'reading'), /position 3 is outside the envelope's 3 readings/);
    assert.equal(r.reading, null);
  });

  it('a bent proof node, a short path or another tree size fails the inclusion proof', async () => {
    const bent = bundle.inclusion.path.map((p, i) => (i === 1 ? (`${p.slice(0, -1)}${p.endsWith('0') ? '1' : '0'}` as Hex) : p));
    assert.deepEqual(failing(await verifyBundle({ ...bundle, inclusion: { ...bundle.inclusion, path: bent } }, chain(root))), [
      'inclusion',
    ]);
    const short = bundle.inclusion.path.slice(1);
    const r = await verifyBundle({ ...bundle, inclusion: { ...bundle.inclusion, path: short } }, chain(root));
    assert.deepEqual(failing(r), ['inclusion']);
    assert.match(detailOf(r, 'inclusion'), /wrong length/);
    const r2 = await verifyBundle({ ...bundle, inclusion: { ...bundle.inclusion, treeSize: 12 } }, chain(root));
    assert.match(detailOf(r2, 'inclusion'), /tree of 12 leaves, the tree head has 11/);
  });

  it('a forged tree head signature fails the tree-head check', async () => {
    const h = bundle.treeHead;
    const forgedSig = await intruder.signMessage({ message: { raw: treeHeadDigest(h) } });
    const r = await verifyBundle({ ...bundle, treeHead: { ...h, signature: forgedSig } }, chain(root));
    assert.deepEqual(failing(r), ['tree-head']);
    assert.match(detailOf(r, 'tree-head'), new RegExp(`recovers to ${intruder.address}, not the named signer ${node.address}`));
    // Naming the intruder as signer: the head then is not the anchor publisher's.
    const r2 = await verifyBundle({ ...bundle, treeHead: { ...h, signature: forgedSig, signer: intruder.address } }, chain(root));
    assert.deepEqual(failing(r2), ['tree-head']);
    assert.match(detailOf(r2, 'tree-head'), /but the anchor publisher is/);
  });

  it('a tree rebuilt around a forged leaf, signed by the intruder, fails at the head and on chain', async () => {
    const h = { ...bundle.treeHead, root: `0x${'11'.repeat(32)}` as Hex };
    const signature = await intruder.signMessage({ message: { raw: treeHeadDigest(h) } });
    const forged = {
      ...bundle,
      treeHead: { ...h, signature, signer: intruder.address },
      anchor: { ...bundle.anchor!, publisher: intruder.address },
    };
    const r = await verifyBundle(forged, chain(root));
    assert.deepEqual(failing(r), ['inclusion', 'anchor']);
    assert.match(detailOf(r, 'anchor'), /has no root for 0x/);
  });

  it('a different anchored root fails the anchor check', async () => {
    const other = `0x${'ab'.repeat(32)}` as Hex;
    const r = await verifyBundle(bundle, chain(other));
    assert.deepEqual(failing(r), ['anchor']);
    assert.match(detailOf(r, 'anchor'), new RegExp(`root anchored at size 11 is ${other}, the tree head says ${root}`));
    const unreachable = { ...chain(root), readAnchor: async () => Promise.reject(new Error('connection refused')) };
    assert.match(detailOf(await verifyBundle(bundle, unreachable), 'anchor'), /could not read LogAnchor .*: connection refused/);
  });

  it('the device check compares the registered key and the revocation time', async () => {
    const other = generateDeviceKey(1);
    const wrongKey = await verifyBundle(bundle, chain(root, { publicKey: bytesToHex(other.publicKey) }));
    assert.deepEqual(failing(wrongKey), ['device']);
    assert.match(detailOf(wrongKey, 'device'), /registered key .* is not the bundle's key/);
    assert.deepEqual(failing(await verifyBundle(bundle, chain(root, null))), ['device']);
    const revokedBefore = await verifyBundle(bundle, chain(root, { revokedAt: T0 + 45_000 }));
    assert.deepEqual(failing(revokedBefore), ['device']);
    assert.match(detailOf(revokedBefore, 'device'), /revoked at .*, not after the reading/);
    // Revoked after the envelope was signed: the reading stands.
    const revokedAfter = await verifyBundle(bundle, chain(root, { revokedAt: T0 + 600_000 }));
    assert.deepEqual(failing(revokedAfter), []);
    // A bundle swapped to another device's key fails the envelope signature and the registry.
    const swapped = { ...bundle, device: { ...bundle.device, publicKey: bytesToHex(other.publicKey) } };
    assert.deepEqual(failing(await verifyBundle(swapped, chain(root))), ['envelope', 'device']);
    const badHash = { ...bundle, device: { ...bundle.device, idHash: deviceIdHash('reefer-8') } };
    assert.deepEqual(failing(await verifyBundle(badHash)), ['device']);
  });

  it('garbage fields fail their checks with a reason instead of throwing', async () => {
    const r = await verifyBundle({ ...bundle, envelope: '%%%' }, chain(root));
    assert.deepEqual(failing(r), ['envelope', 'reading', 'leaf', 'leaf-hash', 'inclusion', 'device']);
    assert.match(detailOf(r, 'leaf'), /envelope is not base64/);
    const r2 = await verifyBundle({ ...bundle, treeHead: { ...bundle.treeHead, signature: '0x1234' } }, chain(root));
    assert.match(detailOf(r2, 'tree-head'), /treeHead.signature must be 65 bytes, got 2/);
    const r3 = await verifyBundle({ ...bundle, version: 2 } as unknown as ProofBundle);
    assert.equal(r3.ok, false);
    assert.match(r3.checks[0]!.detail, /unsupported bundle version 2/);
  });
});
