// The node's log identity for C2SP formats: its checkpoint origin and the Ed25519
// key that signs its checkpoints (note type 0x01) and its cosignatures of peers'
// checkpoints (type 0x04, key name "<origin>/witness"). One key for both, as the
// NodeDirectory registers one checkpointKey per node; the key IDs differ by type,
// which signed-note requires when a key serves two signature types.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  ed25519NoteSigner,
  encodeSignerKey,
  encodeVerifierKey,
  type NoteSigner,
  parseSignerKey,
  SIG_TYPE_COSIGNATURE_V1,
  SIG_TYPE_ED25519,
} from '@tradetwin/core/tlog/note';

export const CHECKPOINT_KEY_FILE = 'checkpoint-key';

export interface LogIdentity {
  /** The checkpoint origin line (and the log key's name). */
  origin: string;
  /** The name this node cosigns peers' checkpoints under. */
  witnessName: string;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
  signer: NoteSigner;
  /** vkey of the log key (type 0x01), for policies and verifiers. */
  logVkey: string;
  /** vkey of the witness key (type 0x04). */
  witnessVkey: string;
}

/** The witness name of a log's node: the peers' cosignatures are looked up under it. */
export const witnessNameOf = (origin: string): string => `${origin}/witness`;

export function logIdentity(origin: string, secretKey: Uint8Array): LogIdentity {
  const publicKey = ed25519.getPublicKey(secretKey);
  const witnessName = witnessNameOf(origin);
  return {
    origin,
    witnessName,
    publicKey,
    secretKey,
    signer: ed25519NoteSigner(origin, secretKey),
    logVkey: encodeVerifierKey(origin, SIG_TYPE_ED25519, publicKey),
    witnessVkey: encodeVerifierKey(witnessName, SIG_TYPE_COSIGNATURE_V1, publicKey),
  };
}

/**
 * The data dir's checkpoint key (signed-note PRIVATE+KEY encoding, mode 0600), created on first start
 * under `origin` (default: tradetwin.invalid/<account address>). The origin is the log's identity: a
 * different one asked of an existing key is refused rather than silently starting a second log.
 */
export function loadLogIdentity(dataDir: string, opts: { origin?: string; address: string }): LogIdentity {
  const path = join(dataDir, CHECKPOINT_KEY_FILE);
  if (!existsSync(path)) {
    const origin = opts.origin ?? `tradetwin.invalid/${opts.address.toLowerCase()}`;
    writeFileSync(path, `${encodeSignerKey(origin, ed25519.utils.randomSecretKey())}\n`, { mode: 0o600 });
  }
  const { name, secretKey } = parseSignerKey(readFileSync(path, 'utf8'));
  if (opts.origin !== undefined && opts.origin !== name) {
    throw new Error(`${path} is the key of log origin "${name}", not "${opts.origin}" (a log keeps its origin)`);
  }
  return logIdentity(name, secretKey);
}
