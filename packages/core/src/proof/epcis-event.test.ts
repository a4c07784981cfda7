import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { encodeCbor } from '../cose/cbor.js';
import { eventHashId } from '../epcis/hash.js';
import { canonicalJson } from '../json/canonical-json.js';
import { leafHash } from '../merkle/hash.js';
import { inclusionProof, memorySubtree, treeRoot } from '../merkle/proof.js';
import { toBase64 } from './bundle.js';
import {
  decodeEpcisBody,
  EPCIS_SALT_BYTES,
  encodeEpcisBody,
  EVENT_CHECKS,
  EVENT_PROOF_VERSION,
  type EventCheckName,
  type EventProof,
  verifyEventProof,
  type VerifyEventProofOptions,
} from './epcis-event.js';
import { treeHeadDigest } from './head.js';
import { encodeLeaf } from './leaf.js';

const T0 = 1_764_000_000_000;
const node = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const intruder = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const LOG_ANCHOR: Hex = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const LEAF_INDEX = 4;
const TREE_SIZE = 9;

const captured = {
  type: 'ObjectEvent',
  eventTime: '2026-03-01T08:00:00.000Z',
  eventTimeZoneOffset: '+01:00',
  epcList: ['urn:epc:id:sgtin:4012345.011111.9876'],
  action: 'OBSERVE',
  bizStep: 'receiving',
  readPoint: { id: 'urn:epc:id:sgln:4012345.00001.0' },
};
const hashId = eventHashId(captured);
const logged = { ...captured, eventID: hashId };
/** A fixed salt: these proofs must be reproducible. */
const SALT = Uint8Array.from({ length: EPCIS_SALT_BYTES }, (_, i) => 0xa0 + i);
const utf8 = (s: string) => new TextEncoder().encode(s);
/** An epcis leaf body as logged before salts: CBOR [hashId, canonicalJsonBytes]. */
const legacyBody = (id: string, json: string) => encodeCbor([id, utf8(json)]);

async function buildProof(
  body: Uint8Array = encodeEpcisBody(hashId, canonicalJson(logged), SALT),
): Promise<{ proof: EventProof; root: Hex }> {
  const data = encodeLeaf({ kind: 'epcis', receivedAt: T0, body });
  const leaves = Array.from({ length: TREE_SIZE }, (_, i) =>
    i === LEAF_INDEX
      ? leafHash(data)
      : leafHash(encodeLeaf({ kind: 'telemetry', receivedAt: T0 + i, body: new Uint8Array([i]) })),
  );
  const sub = memorySubtree(leaves);
  const root = bytesToHex(treeRoot(TREE_SIZE, sub));
  const head = { size: TREE_SIZE, root, timestamp: T0 + 1000 };
  const signature = await node.signMessage({ message: { raw: treeHeadDigest(head) } });
  const proof: EventProof = {
    version: EVENT_PROOF_VERSION,
    eventID: hashId,
    eventHashId: hashId,
    event: logged,
    recordTime: new Date(T0).toISOString(),
    declaredBy: null,
    isDeclaration: false,
    leaf: { index: LEAF_INDEX, data: toBase64(data), hash: bytesToHex(leafHash(data)) },
    inclusion: { treeSize: TREE_SIZE, path: inclusionProof(LEAF_INDEX, TREE_SIZE, sub).map((h) => bytesToHex(h)) },
    treeHead: { ...head, signature, signer: node.address },
    anchor: { chainId: 31337, logAnchor: LOG_ANCHOR, publisher: node.address, txHash: null, blockNumber: 7 },
  };
  return { proof, root };
}

function chain(root: Hex): VerifyEventProofOptions {
  return {
    expectedSigner: node.address,
    readAnchor: async (a) =>
      a.logAnchor === LOG_ANCHOR && a.publisher.toLowerCase() === node.address.toLowerCase() && a.size === TREE_SIZE
        ? root
        : null,
  };
}

const failed = (r: { checks: { name: EventCheckName; ok: boolean; skipped?: true }[] }) =>
  r.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.name);

describe('EPCIS event proofs', () => {
  it('a genuine proof passes every check, in order', async () => {
    const { proof, root } = await buildProof();
    const r = await verifyEventProof(proof, chain(root));
    assert.deepEqual(
      r.checks.map((c) => c.name),
      [...EVENT_CHECKS],
    );
    assert.deepEqual(failed(r), []);
    assert.equal(r.ok, true);
    assert.equal(r.complete, true);
  });

  it('without chain access the anchor is skipped, not passed', async () => {
    const { proof } = await buildProof();
    const r = await verifyEventProof(proof);
    assert.equal(r.ok, true);
    assert.equal(r.complete, false);
    assert.equal(r.checks.find((c) => c.name === 'anchor')?.skipped, true);
  });

  it('the epcis leaf body round-trips with its salt, reads legacy unsalted bodies, and refuses anything else', () => {
    assert.deepEqual(decodeEpcisBody(encodeEpcisBody('ni:x', '{"a":1}', SALT)), { hashId: 'ni:x', json: '{"a":1}', salt: SALT });
    assert.deepEqual(decodeEpcisBody(legacyBody('ni:x', '{"a":1}')), { hashId: 'ni:x', json: '{"a":1}', salt: null });
    const corrupt = { name: 'EpcisLeafError', code: 'corrupt_epcis_leaf' } as object;
    assert.throws(() => decodeEpcisBody(new Uint8Array([0x80])), corrupt);
    assert.throws(() => decodeEpcisBody(encodeCbor(['ni:x', utf8('{}'), SALT, SALT])), corrupt);
    assert.throws(() => decodeEpcisBody(encodeCbor(['ni:x', '{}', SALT])), corrupt);
  });

  it('a salt of the wrong length or type is refused, encoding and decoding, with a clear error', () => {
    const wrongLength = { code: 'corrupt_epcis_leaf', message: /salt must be 16 bytes, got 15/ } as object;
    assert.throws(() => encodeEpcisBody('ni:x', '{}', SALT.subarray(1)), wrongLength);
    assert.throws(() => encodeEpcisBody('ni:x', '{}', new Uint8Array(0)), /salt must be 16 bytes, got 0/);
    assert.throws(() => decodeEpcisBody(encodeCbor(['ni:x', utf8('{}'), SALT.subarray(1)])), wrongLength);
    assert.throws(() => decodeEpcisBody(encodeCbor(['ni:x', utf8('{}'), 'a'.repeat(16)])), {
      code: 'corrupt_epcis_leaf',
      message: /salt must be 16 bytes, got not a byte string/,
    } as object);
  });

  it('the salt hides a guessed event: the same event and time under two salts, or none, are three leaf hashes', () => {
    const json = canonicalJson(logged);
    const leafOf = (body: Uint8Array) => bytesToHex(leafHash(encodeLeaf({ kind: 'epcis', receivedAt: T0, body })));
    const other = SALT.map((b) => b ^ 0xff);
    const hashes = new Set([
      leafOf(encodeEpcisBody(hashId, json, SALT)),
      leafOf(encodeEpcisBody(hashId, json, other)),
      leafOf(legacyBody(hashId, json)),
    ]);
    assert.equal(hashes.size, 3);
  });

  it('a proof over a legacy (unsalted) leaf still verifies, and its leaf check says so', async () => {
    const { proof, root } = await buildProof(legacyBody(hashId, canonicalJson(logged)));
    const r = await verifyEventProof(proof, chain(root));
    assert.deepEqual(failed(r), []);
    assert.equal(r.ok, true);
    assert.match(r.checks.find((c) => c.name === 'leaf')?.detail ?? '', /unsalted/);
  });

  it('a proof whose leaf carries a malformed salt fails its leaf check, naming the salt', async () => {
    const { proof, root } = await buildProof(encodeCbor([hashId, utf8(canonicalJson(logged)), SALT.subarray(0, 8)]));
    const r = await verifyEventProof(proof, chain(root));
    assert.equal(r.ok, false);
    assert.match(r.checks.find((c) => c.name === 'leaf')?.detail ?? '', /salt must be 16 bytes, got 8/);
    assert.deepEqual(failed(r), ['leaf', 'event']);
  });

  const tampered: [string, (p: EventProof) => EventProof, EventCheckName[]][] = [
    ['an edited event', (p) => ({ ...p, event: { ...p.event, bizStep: 'shipping' } }), ['event', 'hash-id']],
    ['another hash ID', (p) => ({ ...p, eventHashId: `ni:///sha-256;${'0'.repeat(64)}?ver=CBV2.0` }), ['event', 'hash-id']],
    ['another eventID', (p) => ({ ...p, eventID: 'urn:uuid:00000000-0000-4000-8000-000000000000' }), ['event']],
    ['another leaf index', (p) => ({ ...p, leaf: { ...p.leaf, index: LEAF_INDEX + 1 } }), ['inclusion']],
    ['a leaf hash that is not the leaf', (p) => ({ ...p, leaf: { ...p.leaf, hash: `0x${'11'.repeat(32)}` } }), ['leaf-hash']],
    [
      'leaf data that is not base64',
      (p) => ({ ...p, leaf: { ...p.leaf, data: '%%%' } }),
      ['leaf', 'leaf-hash', 'event', 'inclusion'],
    ],
    [
      'a head root changed',
      (p) => ({ ...p, treeHead: { ...p.treeHead, root: `0x${'22'.repeat(32)}` } }),
      ['inclusion', 'tree-head', 'anchor'],
    ],
    ['a head named as the intruder’s', (p) => ({ ...p, treeHead: { ...p.treeHead, signer: intruder.address } }), ['tree-head']],
    ['no anchor', (p) => ({ ...p, anchor: null }), ['anchor']],
  ];
  for (const [what, change, expected] of tampered) {
    it(`fails ${what}, naming ${expected.join(', ')}`, async () => {
      const { proof, root } = await buildProof();
      const r = await verifyEventProof(change(structuredClone(proof)), chain(root));
      assert.equal(r.ok, false);
      assert.deepEqual(failed(r), expected);
    });
  }

  it('a head signed by another account than the node expected fails tree-head', async () => {
    const { proof, root } = await buildProof();
    const r = await verifyEventProof(proof, { ...chain(root), expectedSigner: intruder.address });
    assert.deepEqual(failed(r), ['tree-head']);
  });
});
