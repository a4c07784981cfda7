// Offline verification of a dossier package: every listed file is present with
// its manifest hash and nothing unlisted was added; the signature over the
// manifest hash recovers to the issuer; the log receipt's leaf records that
// signature and is included in a tree head the issuer signed; every proof
// bundle verifies (the chain's own checks only when chain readers are given).
// Each check names the file it is about.
import { type Hex, hexToBytes, isAddressEqual, recoverMessageAddress } from 'viem';
import { unzipSync } from 'fflate';
import { leafHash } from '@tradetwin/core/merkle/hash';
import { verifyInclusion } from '@tradetwin/core/merkle/verify';
import { fromBase64, type ProofBundle } from '@tradetwin/core/proof/bundle';
import { recoverTreeHeadSigner } from '@tradetwin/core/proof/head';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import { type VerifyBundleOptions, verifyBundle } from '@tradetwin/core/proof/verify-bundle';
import {
  DOSSIER_FORMAT,
  DOSSIER_LEAF_KIND,
  type DossierLeafBody,
  type DossierManifest,
  type DossierReceipt,
  type DossierSignature,
  MANIFEST_FILE,
  RECEIPT_FILE,
  SIGNATURE_FILE,
  sha256Hex,
  signedMessage,
  UNLISTED,
} from './package-format.js';

export interface DossierCheck {
  /** The file the check is about. */
  file: string;
  check: 'present' | 'sha256' | 'listed' | 'format' | 'signature' | 'log-receipt' | 'bundle';
  ok: boolean;
  detail: string;
  /** Chain checks of a bundle not made (no chain readers given). */
  partial?: true;
}

export interface DossierVerification {
  ok: boolean;
  signer: Hex | null;
  manifest: DossierManifest | null;
  checks: DossierCheck[];
  /** Bundles verified with every check (chain included). */
  bundlesComplete: number;
  bundles: number;
}

const text = (b: Uint8Array) => new TextDecoder('utf-8', { fatal: true }).decode(b);

export async function verifyDossier(
  zip: Uint8Array,
  opts: { expectSigner?: Hex; chain?: VerifyBundleOptions } = {},
): Promise<DossierVerification> {
  const checks: DossierCheck[] = [];
  const done = (signer: Hex | null, manifest: DossierManifest | null, bundlesComplete = 0, bundles = 0) => ({
    ok: checks.every((c) => c.ok),
    signer,
    manifest,
    checks,
    bundlesComplete,
    bundles,
  });
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch (err) {
    checks.push({ file: '(package)', check: 'format', ok: false, detail: `not a ZIP archive: ${(err as Error).message}` });
    return done(null, null);
  }

  // The manifest, the signature, the receipt: each must be there and parse.
  const parsed = <T>(name: string): T | null => {
    const b = files[name];
    if (!b) {
      checks.push({ file: name, check: 'present', ok: false, detail: `${name} is missing from the package` });
      return null;
    }
    try {
      return JSON.parse(text(b)) as T;
    } catch (err) {
      checks.push({ file: name, check: 'format', ok: false, detail: `${name} is not JSON: ${(err as Error).message}` });
      return null;
    }
  };
  const manifest = parsed<DossierManifest>(MANIFEST_FILE);
  const sig = parsed<DossierSignature>(SIGNATURE_FILE);
  const receipt = parsed<DossierReceipt>(RECEIPT_FILE);
  if (!manifest || manifest.format !== DOSSIER_FORMAT || !Array.isArray(manifest.files)) {
    if (manifest) checks.push({ file: MANIFEST_FILE, check: 'format', ok: false, detail: `not a ${DOSSIER_FORMAT} manifest` });
    return done(null, null);
  }

  // Every listed file, byte for byte; nothing added beside them.
  const listed = new Set<string>();
  for (const entry of manifest.files) {
    listed.add(entry.path);
    const b = files[entry.path];
    if (!b) {
      checks.push({ file: entry.path, check: 'present', ok: false, detail: 'listed in the manifest but missing' });
      continue;
    }
    const got = sha256Hex(b);
    checks.push(
      got === entry.sha256.toLowerCase()
        ? { file: entry.path, check: 'sha256', ok: true, detail: `sha256 ${got}` }
        : {
            file: entry.path,
            check: 'sha256',
            ok: false,
            detail: `sha256 ${got} does not match the manifest's ${entry.sha256}: the file was changed`,
          },
    );
  }
  for (const name of Object.keys(files)) {
    if (!listed.has(name) && !UNLISTED.has(name) && !name.endsWith('/'))
      checks.push({
        file: name,
        check: 'listed',
        ok: false,
        detail: 'in the package but not in the manifest: added after signing',
      });
  }

  // The issuer's signature over the manifest's hash.
  const manifestSha256 = sha256Hex(files[MANIFEST_FILE]!);
  let signer: Hex | null = null;
  if (sig) {
    try {
      if (sig.manifestSha256?.toLowerCase() !== manifestSha256)
        throw new Error(`signs manifest ${sig.manifestSha256}, the package's manifest is ${manifestSha256}`);
      const recovered = await recoverMessageAddress({ message: signedMessage(manifestSha256), signature: sig.signature });
      if (!isAddressEqual(recovered, sig.signer))
        throw new Error(`signature recovers to ${recovered}, not the named signer ${sig.signer}`);
      if (opts.expectSigner && !isAddressEqual(recovered, opts.expectSigner))
        throw new Error(`signed by ${recovered}, not by the expected ${opts.expectSigner}`);
      if (!isAddressEqual(recovered, manifest.issuer.address))
        throw new Error(`signed by ${recovered}, the manifest names issuer ${manifest.issuer.address}`);
      signer = recovered;
      checks.push({
        file: SIGNATURE_FILE,
        check: 'signature',
        ok: true,
        detail: `EIP-191 signature of the manifest hash by ${recovered}${manifest.issuer.name ? ` (${manifest.issuer.name})` : ''}`,
      });
    } catch (err) {
      checks.push({ file: SIGNATURE_FILE, check: 'signature', ok: false, detail: (err as Error).message });
    }
  }

  // The log receipt: a 'dossier' leaf recording this signature, included in a head the issuer signed.
  if (receipt && sig) {
    try {
      const data = fromBase64(receipt.leaf.data);
      const leaf = decodeLeaf(data);
      if (leaf.kind !== DOSSIER_LEAF_KIND) throw new Error(`leaf ${receipt.leaf.index} is a ${leaf.kind} record`);
      const body = JSON.parse(text(leaf.body)) as DossierLeafBody;
      if (body.manifestSha256 !== manifestSha256 || body.signature !== sig.signature)
        throw new Error(`leaf ${receipt.leaf.index} records another dossier (${body.manifestSha256})`);
      const hash = leafHash(data);
      const incl = verifyInclusion(
        receipt.leaf.index,
        receipt.inclusion.treeSize,
        hash,
        receipt.inclusion.path.map((p) => hexToBytes(p)),
        hexToBytes(receipt.treeHead.root),
      );
      if (!incl.ok) throw new Error(incl.reason);
      if (receipt.inclusion.treeSize !== receipt.treeHead.size)
        throw new Error('the proof is to another tree size than the head');
      const headSigner = await recoverTreeHeadSigner(receipt.treeHead, receipt.treeHead.signature);
      if (!isAddressEqual(headSigner, sig.signer)) throw new Error(`the tree head is signed by ${headSigner}, not the issuer`);
      checks.push({
        file: RECEIPT_FILE,
        check: 'log-receipt',
        ok: true,
        detail: `recorded at leaf ${receipt.leaf.index} of the issuer's log, included in its signed head of size ${receipt.treeHead.size}`,
      });
    } catch (err) {
      checks.push({ file: RECEIPT_FILE, check: 'log-receipt', ok: false, detail: (err as Error).message });
    }
  }

  // The proof bundles: each reading re-verified (offline: envelope, leaf, inclusion, head; with a chain: anchor, device).
  let bundles = 0;
  let complete = 0;
  for (const entry of manifest.files.filter((f) => f.path.startsWith('bundles/') && f.path.endsWith('.json'))) {
    const b = files[entry.path];
    if (!b) continue;
    bundles++;
    try {
      const bundle = JSON.parse(text(b)) as ProofBundle;
      const report = await verifyBundle(bundle, opts.chain ?? {});
      const failed = report.checks.filter((c) => !c.ok && !c.skipped);
      if (report.ok && signer && !isAddressEqual(bundle.treeHead.signer, signer))
        failed.push({ name: 'tree-head', ok: false, detail: `signed by ${bundle.treeHead.signer}, not the dossier's issuer` });
      if (report.complete && failed.length === 0) complete++;
      checks.push(
        failed.length === 0
          ? {
              file: entry.path,
              check: 'bundle',
              ok: true,
              detail: `reading ${bundle.readingId} verified${
                report.complete
                  ? ''
                  : ` (not checked: ${report.checks
                      .filter((c) => c.skipped)
                      .map((c) => c.name)
                      .join(', ')})`
              }`,
              ...(report.complete ? {} : { partial: true as const }),
            }
          : { file: entry.path, check: 'bundle', ok: false, detail: failed.map((c) => `${c.name}: ${c.detail}`).join('; ') },
      );
    } catch (err) {
      checks.push({ file: entry.path, check: 'bundle', ok: false, detail: (err as Error).message });
    }
  }
  return done(signer, manifest, complete, bundles);
}
