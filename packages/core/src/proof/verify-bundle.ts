// Verify a proof bundle (./bundle.ts) without trusting the node that served it:
// the device signed the envelope, the envelope holds the reading, the log leaf
// is that envelope, the leaf is in the tree the node signed, the node's signed
// head is the one anchored on chain, and the device key is the registered one.
// Each step is a named check with a detail saying what was found, so a failed
// bundle says exactly which link is broken. Pure and isomorphic (the node's
// CLI and the browser verify page run it); the chain is read through callbacks.
import { type Hex, hexToBytes, isAddress, isAddressEqual, isHex, bytesToHex } from 'viem';
import { decodeSign1 } from '../cose/sign1.js';
import { deviceIdHash, type DevicePublicKey, isKeyType, keyTypeName } from '../device/keys.js';
import { leafHash } from '../merkle/hash.js';
import { verifyInclusion } from '../merkle/verify.js';
import { openTelemetry } from '../telemetry/envelope.js';
import { decodePayload, type Reading } from '../telemetry/payload.js';
import { BUNDLE_VERSION, fromBase64, parseReadingId, type ProofBundle } from './bundle.js';
import { recoverTreeHeadSigner } from './head.js';
import { decodeLeaf } from './leaf.js';

export const BUNDLE_CHECKS = ['envelope', 'reading', 'leaf', 'leaf-hash', 'inclusion', 'tree-head', 'anchor', 'device'] as const;
export type BundleCheckName = (typeof BUNDLE_CHECKS)[number];

export interface BundleCheck {
  name: BundleCheckName;
  ok: boolean;
  detail: string;
  /** Not performed (no chain access given): neither passed nor failed. */
  skipped?: true;
}

export interface BundleReport {
  /** No check failed (skipped checks do not fail a bundle; see `complete`). */
  ok: boolean;
  /** Every check was performed, none skipped. */
  complete: boolean;
  checks: BundleCheck[];
  /** The reading the bundle proves, when the envelope holds it. */
  reading: Reading | null;
}

export interface AnchorQuery {
  chainId: number;
  logAnchor: Hex;
  publisher: Hex;
  size: number;
}

export interface DeviceQuery {
  deviceId: string;
  idHash: Hex;
  deviceRegistry: Hex;
}

export interface RegisteredDevice {
  keyType: 1 | 2;
  publicKey: Hex;
  /** ms since epoch; null while the device is active. */
  revokedAt: number | null;
}

export interface VerifyBundleOptions {
  /** LogAnchor.rootAt(publisher, size); null when nothing is anchored at that size. */
  readAnchor?: (a: AnchorQuery) => Promise<Hex | null>;
  /** DeviceRegistry.device(idHash); null for an unknown device. */
  readDevice?: (d: DeviceQuery) => Promise<RegisteredDevice | null>;
}

const pass = (name: BundleCheckName, detail: string): BundleCheck => ({ name, ok: true, detail });
const fail = (name: BundleCheckName, detail: string): BundleCheck => ({ name, ok: false, detail });
const skip = (name: BundleCheckName, detail: string): BundleCheck => ({ name, ok: false, detail, skipped: true });

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function hexBytes(field: string, v: unknown, length?: number): Uint8Array {
  if (typeof v !== 'string' || !isHex(v, { strict: true })) throw new Error(`${field} is not 0x-hex`);
  const b = hexToBytes(v);
  if (length !== undefined && b.length !== length) throw new Error(`${field} must be ${length} bytes, got ${b.length}`);
  return b;
}

function base64Bytes(field: string, v: unknown): Uint8Array {
  if (typeof v !== 'string') throw new Error(`${field} is not base64`);
  try {
    return fromBase64(v);
  } catch {
    throw new Error(`${field} is not base64`);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function describeReading(x: Reading): string {
  const value = x.k === 'pos' ? `[${x.v[0]}, ${x.v[1]}]` : String(x.v);
  return `${x.k} = ${value} at ${new Date(x.t).toISOString()}`;
}

/** The device key the bundle names (its own claim; the 'device' check compares it with the registry). */
function bundleKey(b: ProofBundle): DevicePublicKey {
  if (!isKeyType(b.device.keyType)) throw new Error(`device.keyType ${String(b.device.keyType)} is neither 1 nor 2`);
  return { keyType: b.device.keyType, publicKey: hexBytes('device.publicKey', b.device.publicKey) };
}

function checkEnvelope(b: ProofBundle, envelope: Uint8Array): BundleCheck {
  const key = bundleKey(b);
  const opened = openTelemetry(envelope, (id) => (id === b.device.id ? key : undefined));
  if (!opened.ok) {
    const detail =
      opened.reason === 'unknown_device'
        ? `envelope kid ${opened.deviceId} is not the bundle's device ${b.device.id}`
        : `${opened.reason}: ${opened.detail}`;
    return fail('envelope', detail);
  }
  const m = opened.msg;
  return pass(
    'envelope',
    `${keyTypeName(key.keyType)} signature of device ${m.deviceId} verifies (seq ${m.seq}, ${m.readings} readings)`,
  );
}

function checkReading(b: ProofBundle, envelope: Uint8Array): { check: BundleCheck; reading: Reading | null } {
  const id = typeof b.readingId === 'string' ? parseReadingId(b.readingId) : null;
  if (!id)
    return { check: fail('reading', `reading id ${JSON.stringify(b.readingId)} is not <leafIndex>:<position>`), reading: null };
  const payload = decodePayload(decodeSign1(envelope).payload);
  const reading = payload.r[id.position];
  if (!reading) {
    return {
      check: fail('reading', `position ${id.position} is outside the envelope's ${payload.r.length} readings`),
      reading: null,
    };
  }
  if (id.leafIndex !== b.leaf.index) {
    return {
      check: fail('reading', `reading id ${b.readingId} names leaf ${id.leafIndex}, the bundle's leaf is ${b.leaf.index}`),
      reading,
    };
  }
  return { check: pass('reading', `reading ${id.position} of ${payload.r.length}: ${describeReading(reading)}`), reading };
}

function checkLeaf(envelope: Uint8Array, leafData: Uint8Array): BundleCheck {
  const leaf = decodeLeaf(leafData);
  if (leaf.kind !== 'telemetry') return fail('leaf', `leaf holds a ${JSON.stringify(leaf.kind)} record, not telemetry`);
  if (!sameBytes(leaf.body, envelope)) return fail('leaf', "leaf body is not the bundle's envelope");
  return pass('leaf', `telemetry leaf received ${new Date(leaf.receivedAt).toISOString()} holds the envelope byte for byte`);
}

function checkLeafHash(b: ProofBundle, leafData: Uint8Array): BundleCheck {
  const claimed = hexBytes('leaf.hash', b.leaf.hash, 32);
  const actual = leafHash(leafData);
  if (!sameBytes(actual, claimed))
    return fail('leaf-hash', `SHA-256(0x00‖leaf) is ${bytesToHex(actual)}, the bundle says ${b.leaf.hash}`);
  return pass('leaf-hash', `SHA-256(0x00‖leaf) = ${b.leaf.hash}`);
}

function checkInclusion(b: ProofBundle, leafData: Uint8Array): BundleCheck {
  if (b.inclusion.treeSize !== b.treeHead.size) {
    return fail('inclusion', `proof is for a tree of ${b.inclusion.treeSize} leaves, the tree head has ${b.treeHead.size}`);
  }
  if (!Array.isArray(b.inclusion.path)) return fail('inclusion', 'inclusion.path is not an array');
  const path = b.inclusion.path.map((p, i) => hexBytes(`inclusion.path[${i}]`, p, 32));
  const root = hexBytes('treeHead.root', b.treeHead.root, 32);
  const r = verifyInclusion(b.leaf.index, b.treeHead.size, leafHash(leafData), path, root);
  if (!r.ok) return fail('inclusion', `leaf ${b.leaf.index} in a tree of ${b.treeHead.size}: ${r.reason}`);
  return pass('inclusion', `leaf ${b.leaf.index} is in the tree of ${b.treeHead.size} leaves with root ${b.treeHead.root}`);
}

async function checkTreeHead(b: ProofBundle): Promise<BundleCheck> {
  const h = b.treeHead;
  if (typeof h.signer !== 'string' || !isAddress(h.signer, { strict: false }))
    return fail('tree-head', `treeHead.signer ${String(h.signer)} is not an address`);
  hexBytes('treeHead.signature', h.signature, 65);
  const recovered = await recoverTreeHeadSigner({ size: h.size, root: h.root, timestamp: h.timestamp }, h.signature);
  if (!isAddressEqual(recovered, h.signer)) {
    return fail('tree-head', `head signature recovers to ${recovered}, not the named signer ${h.signer}`);
  }
  if (b.anchor && !isAddressEqual(b.anchor.publisher, h.signer)) {
    return fail('tree-head', `head signed by ${h.signer}, but the anchor publisher is ${b.anchor.publisher}`);
  }
  return pass('tree-head', `head (size ${h.size}, ${new Date(h.timestamp).toISOString()}) signed by ${recovered}`);
}

async function checkAnchor(b: ProofBundle, opts: VerifyBundleOptions): Promise<BundleCheck> {
  const a = b.anchor;
  if (!a) return fail('anchor', 'not yet anchored: the bundle names no on-chain anchor for this tree head');
  if (!opts.readAnchor) return skip('anchor', `not checked (no chain access): LogAnchor ${a.logAnchor} on chain ${a.chainId}`);
  let root: Hex | null;
  try {
    root = await opts.readAnchor({ chainId: a.chainId, logAnchor: a.logAnchor, publisher: a.publisher, size: b.treeHead.size });
  } catch (err) {
    return fail('anchor', `could not read LogAnchor ${a.logAnchor} on chain ${a.chainId}: ${message(err)}`);
  }
  if (root === null)
    return fail(
      'anchor',
      `LogAnchor ${a.logAnchor} on chain ${a.chainId} has no root for ${a.publisher} at size ${b.treeHead.size}`,
    );
  if (root.toLowerCase() !== b.treeHead.root.toLowerCase()) {
    return fail('anchor', `root anchored at size ${b.treeHead.size} is ${root}, the tree head says ${b.treeHead.root}`);
  }
  return pass(
    'anchor',
    `root anchored by ${a.publisher} at size ${b.treeHead.size} on chain ${a.chainId}${a.blockNumber !== null ? ` (block ${a.blockNumber})` : ''}`,
  );
}

async function checkDevice(
  b: ProofBundle,
  opts: VerifyBundleOptions,
  envelope: Uint8Array,
  reading: Reading | null,
): Promise<BundleCheck> {
  const d = b.device;
  const idHash = deviceIdHash(d.id);
  if (typeof d.idHash !== 'string' || d.idHash.toLowerCase() !== idHash)
    return fail('device', `device.idHash ${String(d.idHash)} is not keccak256("${d.id}") = ${idHash}`);
  if (!opts.readDevice)
    return skip('device', 'not checked (no chain access): the registered key and revocation were not compared');
  if (!b.anchor) return skip('device', 'not checked: the bundle names no chain (not yet anchored)');
  let reg: RegisteredDevice | null;
  try {
    reg = await opts.readDevice({ deviceId: d.id, idHash, deviceRegistry: b.anchor.deviceRegistry });
  } catch (err) {
    return fail('device', `could not read DeviceRegistry ${b.anchor.deviceRegistry}: ${message(err)}`);
  }
  if (!reg) return fail('device', `device ${d.id} (${idHash}) is not registered in DeviceRegistry ${b.anchor.deviceRegistry}`);
  const key = bundleKey(b);
  if (reg.keyType !== key.keyType || !sameBytes(hexBytes('registered publicKey', reg.publicKey), key.publicKey)) {
    return fail(
      'device',
      `the registered key (${keyTypeName(reg.keyType)} ${reg.publicKey}) is not the bundle's key (${keyTypeName(key.keyType)} ${d.publicKey})`,
    );
  }
  if (reg.revokedAt !== null) {
    // The reading is good only if the key was not yet revoked when it was measured and signed.
    const signedAt = decodePayload(decodeSign1(envelope).payload).ts;
    const latest = Math.max(signedAt, reading?.t ?? signedAt);
    if (latest >= reg.revokedAt) {
      return fail(
        'device',
        `device ${d.id} was revoked at ${new Date(reg.revokedAt).toISOString()}, not after the reading (${new Date(latest).toISOString()})`,
      );
    }
    return pass(
      'device',
      `registered key matches; device revoked at ${new Date(reg.revokedAt).toISOString()}, after the reading`,
    );
  }
  return pass('device', `registered ${keyTypeName(reg.keyType)} key matches; device not revoked`);
}

/** Run a check; a bundle field that cannot even be parsed fails that check (with the reason), never throws. */
async function guarded(name: BundleCheckName, run: () => BundleCheck | Promise<BundleCheck>): Promise<BundleCheck> {
  try {
    return await run();
  } catch (err) {
    return fail(name, message(err));
  }
}

export async function verifyBundle(bundle: ProofBundle, opts: VerifyBundleOptions = {}): Promise<BundleReport> {
  if (bundle?.version !== BUNDLE_VERSION) {
    const checks = BUNDLE_CHECKS.map((name) =>
      fail(name, `unsupported bundle version ${JSON.stringify(bundle?.version)}; expected ${BUNDLE_VERSION}`),
    );
    return { ok: false, complete: true, checks, reading: null };
  }
  let envelope: Uint8Array | null = null;
  let leafData: Uint8Array | null = null;
  let bytesProblem = '';
  try {
    envelope = base64Bytes('envelope', bundle.envelope);
    leafData = base64Bytes('leaf.data', bundle.leaf.data);
  } catch (err) {
    bytesProblem = message(err);
  }
  const needsBytes = (name: BundleCheckName, run: (env: Uint8Array, leaf: Uint8Array) => BundleCheck | Promise<BundleCheck>) =>
    guarded(name, () => (envelope && leafData ? run(envelope, leafData) : fail(name, bytesProblem)));

  let reading: Reading | null = null;
  const checks: BundleCheck[] = [];
  checks.push(await needsBytes('envelope', (env) => checkEnvelope(bundle, env)));
  checks.push(
    await needsBytes('reading', (env) => {
      const r = checkReading(bundle, env);
      reading = r.reading;
      return r.check;
    }),
  );
  checks.push(await needsBytes('leaf', (env, leaf) => checkLeaf(env, leaf)));
  checks.push(await needsBytes('leaf-hash', (_env, leaf) => checkLeafHash(bundle, leaf)));
  checks.push(await needsBytes('inclusion', (_env, leaf) => checkInclusion(bundle, leaf)));
  checks.push(await guarded('tree-head', () => checkTreeHead(bundle)));
  checks.push(await guarded('anchor', () => checkAnchor(bundle, opts)));
  checks.push(await needsBytes('device', (env) => checkDevice(bundle, opts, env, reading)));
  return {
    ok: checks.every((c) => c.ok || c.skipped),
    complete: checks.every((c) => !c.skipped),
    checks,
    reading,
  };
}
