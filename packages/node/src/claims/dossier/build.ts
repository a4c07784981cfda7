// Builds a claim dossier: gather the facts, render the PDF and the CSV, add
// every proof bundle and the machine-readable claim, list them all in a
// manifest, sign the manifest's hash with the node's account (EIP-191), record
// the signature in the node's transparency log, and zip it into one package.
import type { Hex } from 'viem';
import { zipSync } from 'fflate';
import type { TransparencyLog } from '../../log/transparency-log.js';
import { DossierError } from './errors.js';
import { type DossierSources, type DossierSubject, gatherDossier } from './gather.js';
import { limitText } from './limits.js';
import { formatAmount } from '@tradetwin/core/money/format';
import type { DossierFacts } from './model.js';
import { logDossier } from './log-entry.js';
import {
  buildManifest,
  DOSSIER_FORMAT,
  type DossierReceipt,
  type DossierSignature,
  json,
  MANIFEST_FILE,
  RECEIPT_FILE,
  SIGNATURE_FILE,
  sha256Hex,
  signedMessage,
} from './package-format.js';
import { workOutPayout } from './payout-steps.js';
import { readingsCsv } from './readings-csv.js';
import { renderReport } from './report-pdf.js';

/** The node's account: what signs the manifest (a viem local account fits). */
export interface DossierSigner {
  address: Hex;
  signMessage(args: { message: string }): Promise<Hex>;
}

export interface BuiltDossier {
  /** The package (ZIP). */
  zip: Uint8Array;
  fileName: string;
  /** SHA-256 of the whole package. */
  sha256: Hex;
  manifestSha256: Hex;
  signer: Hex;
  logIndex: number;
  shipmentId: string;
  policyId: number | null;
  excursionId: Hex;
  files: string[];
}

export async function buildDossier(
  src: DossierSources & { signer: DossierSigner; log: TransparencyLog },
  subject: DossierSubject,
): Promise<BuiltDossier> {
  if (subject.policyId !== undefined && (!Number.isSafeInteger(subject.policyId) || subject.policyId < 0))
    throw new DossierError('bad_subject', `policy id must be a whole number, got ${subject.policyId}`);
  if (subject.excursionId !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(subject.excursionId))
    throw new DossierError('bad_subject', `an excursion id is 0x and 64 hex digits, got "${subject.excursionId}"`);
  const facts = await gatherDossier(src, subject);

  const files = new Map<string, Uint8Array>();
  const bundleFiles = facts.bundles.map((b) => b.file);
  const listed = ['report.pdf', 'readings.csv', 'claim.json', 'verification.json', ...bundleFiles];
  files.set('report.pdf', await renderReport(facts, listed));
  files.set(
    'readings.csv',
    new TextEncoder().encode(
      readingsCsv(
        facts.readings,
        {
          deviceId: facts.excursion.deviceId,
          limit: facts.limit,
          from: facts.excursion.startedAt,
          to: facts.excursion.lastObservedAt,
        },
        limitText(facts.limit),
      ),
    ),
  );
  files.set('claim.json', json(claimJson(facts)));
  files.set(
    'verification.json',
    json({
      bundles: facts.bundles.map((b) => ({
        file: b.file,
        readingId: b.readingId,
        verified: b.report.ok && b.report.complete,
        checks: b.report.checks,
      })),
      audit: facts.audit,
    }),
  );
  for (const b of facts.bundles) files.set(b.file, json(b.bundle));

  const policyId = facts.policy?.policyId ?? null;
  const manifest = buildManifest(
    {
      generatedAt: new Date(facts.generatedAt).toISOString(),
      issuer: {
        address: facts.issuer.address,
        orgId: facts.issuer.org?.orgId || null,
        name: facts.issuer.org?.orgId ? facts.issuer.org.name : null,
      },
      chainId: facts.chain.chainId,
      subject: { shipmentId: facts.shipment.id, policyId, cover: facts.policy?.cover ?? null, excursionId: facts.excursion.id },
    },
    files,
  );
  const manifestBytes = json(manifest);
  const manifestSha256 = sha256Hex(manifestBytes);
  const message = signedMessage(manifestSha256);
  const signature: DossierSignature = {
    format: DOSSIER_FORMAT,
    scheme: 'EIP-191 personal_sign',
    manifestSha256,
    message,
    signer: src.signer.address,
    signature: await src.signer.signMessage({ message }),
  };
  const receipt: DossierReceipt = await logDossier(src.log, signature, facts.generatedAt);

  const mtime = new Date(facts.generatedAt);
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  entries[MANIFEST_FILE] = [manifestBytes, { mtime }];
  entries[SIGNATURE_FILE] = [json(signature), { mtime }];
  entries[RECEIPT_FILE] = [json(receipt), { mtime }];
  for (const [path, data] of files) entries[path] = [data, { mtime }];
  const zip = zipSync(entries, { level: 6 });
  const stamp = new Date(facts.generatedAt).toISOString().replace(/[-:]/g, '').slice(0, 15);
  return {
    zip,
    fileName: `dossier-${facts.shipment.id}-${policyId !== null && facts.subject.kind === 'policy' ? `policy-${policyId}` : facts.excursion.id.slice(0, 10)}-${stamp}.zip`,
    sha256: sha256Hex(zip),
    manifestSha256,
    signer: src.signer.address,
    logIndex: receipt.leaf.index,
    shipmentId: facts.shipment.id,
    policyId,
    excursionId: facts.excursion.id,
    files: [MANIFEST_FILE, SIGNATURE_FILE, RECEIPT_FILE, ...files.keys()],
  };
}

/** The dossier's facts for machines: amounts as raw units and as displayed, names beside addresses. */
function claimJson(f: DossierFacts) {
  const token = f.policy?.token;
  const amount = (raw: bigint) => ({ raw: raw.toString(), display: token ? formatAmount(raw, token) : null });
  const t = f.policy?.terms;
  return {
    format: 'tradetwin.claim.v1',
    generatedAt: new Date(f.generatedAt).toISOString(),
    issuer: f.issuer,
    shipment: { id: f.shipment.id, goods: f.shipment.goods, parties: f.shipment.parties, legs: f.shipment.legs },
    policy:
      f.policy && t
        ? {
            policyId: f.policy.policyId,
            cover: f.policy.cover,
            state: f.policy.state,
            insurer: f.policy.insurer,
            holder: f.policy.holder,
            token: f.policy.token,
            boundAt: f.policy.boundAt,
            terms: {
              sumInsured: amount(t.sumInsured),
              premium: amount(t.premium),
              minCentiC: t.minCentiC,
              maxCentiC: t.maxCentiC,
              toleranceMinutes: t.toleranceMinutes,
              catastrophicMinutes: t.catastrophicMinutes,
              payoutPerHourBps: t.payoutPerHourBps,
              expiresAt: Number(t.expiresAt),
              logPublisher: t.logPublisher,
              shipmentId: t.shipmentId,
            },
          }
        : null,
    excursion: f.excursion,
    limit: f.limit,
    keyReadings: f.keyReadings,
    payout:
      f.payout && f.policy
        ? {
            amount: amount(f.payout.amount),
            txHash: f.payout.txHash,
            paidAt: f.payout.paidAt,
            attestation: f.payout.attestation,
            contractPayoutFor: f.payout.contractPayoutFor === null ? null : amount(f.payout.contractPayoutFor),
            attestedBy: f.payout.attestedBy,
            working: workOutPayout(f.policy.terms, f.payout.attestation.minutesOutside, (r) =>
              token ? formatAmount(r, token) : String(r),
            ).steps,
          }
        : null,
    transactions: f.transactions,
    readingsWindow: f.readingsWindow,
  };
}
