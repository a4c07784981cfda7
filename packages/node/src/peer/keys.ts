// The node's two Ed25519 keys, generated on first start into its data dir like
// its account key (mode 0600): one signs its requests to other members' nodes
// (RFC 9421), one signs its log checkpoints and cosignatures (C2SP signed-note).
// Their public halves are published in NodeDirectory.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from 'viem';

export interface Ed25519Key {
  /** 32-byte seed */
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface NodePeerKeys {
  /** RFC 9421 request signatures (alg "ed25519"). */
  httpSig: Ed25519Key;
  /** C2SP signed-note checkpoints and cosignatures. */
  checkpoint: Ed25519Key;
}

export const HTTP_SIG_KEY_FILE = 'http-sig-key';
/**
 * The node's peer keys: the request key from `dataDir` (created on first use); the checkpoint key is the
 * log identity's (tlog/identity.ts, its own file in signed-note encoding), so one key is both published
 * in NodeDirectory and signs the checkpoints.
 */
export function nodePeerKeys(dataDir: string, checkpoint: Ed25519Key): NodePeerKeys {
  return { httpSig: ed25519KeyFile(join(dataDir, HTTP_SIG_KEY_FILE)), checkpoint };
}

function ed25519KeyFile(path: string): Ed25519Key {
  if (!existsSync(path)) writeFileSync(path, `${bytesToHex(ed25519.utils.randomSecretKey())}\n`, { mode: 0o600 });
  const text = readFileSync(path, 'utf8').trim();
  if (!/^0x[0-9a-f]{64}$/i.test(text)) throw new Error(`${path} does not hold a 32-byte hex Ed25519 key`);
  const secretKey = hexToBytes(text as `0x${string}`);
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}
