// The signed dossier package (a ZIP): its files, the manifest listing each with
// its SHA-256, the issuer's EIP-191 signature over the manifest hash, and the
// transparency-log leaf that records the signature. The format is shared by the
// builder (build.ts) and the offline verifier (verify.ts). Pure.
import { createHash } from 'node:crypto';
import { bytesToHex, type Hex } from 'viem';

export const DOSSIER_FORMAT = 'tradetwin.claim-dossier.v1';
/** The log leaf kind that records an issued dossier (beside 'telemetry' and 'epcis'). */
export const DOSSIER_LEAF_KIND = 'dossier';

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'signature.json';
export const RECEIPT_FILE = 'log-receipt.json';
/** Files that describe the listed ones: not in the manifest themselves. */
export const UNLISTED = new Set([MANIFEST_FILE, SIGNATURE_FILE, RECEIPT_FILE]);

export interface ManifestEntry {
  path: string;
  sha256: Hex;
  bytes: number;
}

export interface DossierManifest {
  format: typeof DOSSIER_FORMAT;
  generatedAt: string;
  issuer: { address: Hex; orgId: number | null; name: string | null };
  chainId: number;
  subject: { shipmentId: string; policyId: number | null; cover: Hex | null; excursionId: Hex };
  files: ManifestEntry[];
}

export interface DossierSignature {
  format: typeof DOSSIER_FORMAT;
  scheme: 'EIP-191 personal_sign';
  manifestSha256: Hex;
  message: string;
  signer: Hex;
  signature: Hex;
}

/** The body of the log leaf recording a dossier: canonical JSON (fixed key order). */
export interface DossierLeafBody {
  v: 1;
  manifestSha256: Hex;
  signer: Hex;
  signature: Hex;
}

export interface DossierReceipt {
  leaf: { index: number; data: string; hash: Hex };
  inclusion: { treeSize: number; path: Hex[] };
  treeHead: { size: number; root: Hex; timestamp: number; signature: Hex; signer: Hex };
}

export function sha256Hex(bytes: Uint8Array): Hex {
  return bytesToHex(new Uint8Array(createHash('sha256').update(bytes).digest()));
}

/** What the issuer signs (EIP-191): readable in any wallet that shows a personal_sign request. */
export function signedMessage(manifestSha256: Hex): string {
  return `TradeTwin claim dossier\nmanifest sha256: ${manifestSha256}`;
}

export function encodeLeafBody(b: Omit<DossierLeafBody, 'v'>): Uint8Array {
  const body: DossierLeafBody = { v: 1, manifestSha256: b.manifestSha256, signer: b.signer, signature: b.signature };
  return new TextEncoder().encode(JSON.stringify(body));
}

export function buildManifest(
  meta: Omit<DossierManifest, 'format' | 'files'>,
  files: ReadonlyMap<string, Uint8Array>,
): DossierManifest {
  return {
    format: DOSSIER_FORMAT,
    ...meta,
    files: [...files.entries()].map(([path, data]) => ({ path, sha256: sha256Hex(data), bytes: data.length })),
  };
}

export const json = (v: unknown): Uint8Array =>
  new TextEncoder().encode(`${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x), 2)}\n`);
