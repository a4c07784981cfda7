// `tradetwin claim dossier <policy|excursion> --out FILE`: the node builds,
// signs and logs a claim dossier (a ZIP: PDF report, readings CSV, proof
// bundles, manifest, signature, log receipt) and the CLI writes it.
// `tradetwin claim verify-dossier FILE`: checks such a package offline — every
// file against the manifest, the signature, the log receipt, the bundles — and
// against the chain too with --rpc.
import { readFileSync, writeFileSync } from 'node:fs';
import { createPublicClient, type Hex, http, isAddress } from 'viem';
import { bundleChainReaders } from '@tradetwin/contracts/bundle-readers';
import type { PolicyJson, ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import { cachedReaders } from '../claims/dossier/cached-readers.js';
import { DOSSIER_HEADERS } from '../claims/dossier/routes.js';
import { verifyDossier } from '../claims/dossier/verify.js';
import { COMMON, CliError, type Command, EXIT, printJson, requireStr, str } from './args.js';
import { nodeClient } from './node-client.js';

const NODE_OPTS = { node: { type: 'string' }, token: { type: 'string' } } as const;

/** What `claim dossier --json` prints. */
export interface DossierCliJson {
  file: string;
  bytes: number;
  sha256: Hex;
  manifestSha256: Hex;
  signer: Hex;
  logIndex: number;
  shipmentId: string;
  policyId: number | null;
  excursionId: Hex | null;
}

const dossierCommand: Command = {
  name: 'claim dossier',
  summary:
    "Build a signed claim dossier of a policy's payout or of an excursion: PDF report, readings CSV, proof bundles, manifest (ZIP).",
  usage: 'claim dossier <policyId|excursionId> --out FILE [--shipment ID] [--cover 0x…] [--node URL] [--token T] [--json]',
  options: {
    ...COMMON,
    ...NODE_OPTS,
    out: { type: 'string', short: 'o' },
    shipment: { type: 'string' },
    cover: { type: 'string' },
  },
  async run({ values, positionals }) {
    const [target, ...extra] = positionals;
    if (!target) throw new CliError(`a policy id or an excursion id is required\n\nUsage: tradetwin ${dossierCommand.usage}`);
    if (extra.length > 0) throw new CliError(`unexpected arguments: ${extra.join(' ')}`);
    const out = requireStr(values, 'out');
    const cover = str(values, 'cover');
    if (cover !== undefined && !isAddress(cover)) throw new CliError(`--cover must be a 0x address, got "${cover}"`);
    let subject: { policyId: number; cover?: string } | { excursionId: Hex };
    if (/^\d+$/.test(target)) subject = { policyId: Number(target), ...(cover ? { cover } : {}) };
    else if (/^0x[0-9a-fA-F]{64}$/.test(target)) subject = { excursionId: target.toLowerCase() as Hex };
    else throw new CliError(`"${target}" is neither a policy id (a number) nor an excursion id (0x and 64 hex digits)`);

    const node = nodeClient(values);
    const shipmentId = str(values, 'shipment') ?? (await shipmentOf(node, subject));
    const { bytes, headers } = await node.postForBytes(`/api/v1/shipments/${encodeURIComponent(shipmentId)}/dossiers`, subject);
    writeFileSync(out, bytes);
    const result: DossierCliJson = {
      file: out,
      bytes: bytes.length,
      sha256: headers.get(DOSSIER_HEADERS.sha256) as Hex,
      manifestSha256: headers.get(DOSSIER_HEADERS.manifest) as Hex,
      signer: headers.get(DOSSIER_HEADERS.signer) as Hex,
      logIndex: Number(headers.get(DOSSIER_HEADERS.logIndex)),
      shipmentId,
      policyId: 'policyId' in subject ? subject.policyId : null,
      excursionId: 'excursionId' in subject ? subject.excursionId : null,
    };
    if (values.json) printJson(result);
    else {
      process.stdout.write(`wrote ${out} (${bytes.length} bytes, sha256 ${result.sha256})\n`);
      process.stdout.write(
        `signed by ${result.signer}; manifest sha256 ${result.manifestSha256} logged at leaf ${result.logIndex}\n`,
      );
      process.stdout.write(`check it anywhere: tradetwin claim verify-dossier ${out}\n`);
    }
    return 0;
  },
};

/** The shipment a policy or an excursion belongs to, as the node lists them (needs shipments:read; else pass --shipment). */
async function shipmentOf(
  node: ReturnType<typeof nodeClient>,
  subject: { policyId: number; cover?: string } | { excursionId: Hex },
): Promise<string> {
  if ('policyId' in subject) {
    const matches = (await node.get<PolicyJson[]>('/api/v1/policies')).filter(
      (p) => p.policyId === subject.policyId && (!subject.cover || p.cover.toLowerCase() === subject.cover.toLowerCase()),
    );
    if (matches.length === 0) throw new CliError(`policy ${subject.policyId} covers no shipment on this node`, EXIT.refused);
    const shipments = [...new Set(matches.map((p) => p.shipmentId))];
    if (shipments.length > 1)
      throw new CliError(
        `policy ${subject.policyId} exists on several covers (${matches.map((p) => p.cover).join(', ')}): give --cover`,
      );
    return shipments[0]!;
  }
  const states = await node.get<ShipmentStateJson[]>('/api/v1/shipments');
  const s = states.find((st) => st.excursions.some((x) => x.id === subject.excursionId));
  if (!s) throw new CliError(`excursion ${subject.excursionId} is on no shipment of this node`, EXIT.refused);
  return s.shipment.id;
}

const verifyDossierCommand: Command = {
  name: 'claim verify-dossier',
  summary:
    "Check a claim dossier offline: every file against the manifest, the issuer's signature, the log receipt and the proof bundles (--rpc: the chain too).",
  usage: 'claim verify-dossier FILE [--signer 0x…] [--rpc URL] [--json]',
  options: { ...COMMON, signer: { type: 'string' }, rpc: { type: 'string' } },
  async run({ values, positionals }) {
    const [file, ...extra] = positionals;
    if (!file) throw new CliError(`a dossier file is required\n\nUsage: tradetwin ${verifyDossierCommand.usage}`);
    if (extra.length > 0) throw new CliError(`unexpected arguments: ${extra.join(' ')}`);
    const signer = str(values, 'signer');
    if (signer !== undefined && !isAddress(signer)) throw new CliError(`--signer must be a 0x address, got "${signer}"`);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
    }
    const rpc = str(values, 'rpc');
    const client = rpc ? createPublicClient({ transport: http(rpc) }) : null;
    const report = await verifyDossier(bytes, {
      expectSigner: signer as Hex | undefined,
      chain: client ? cachedReaders(bundleChainReaders(client, `RPC ${rpc}`)) : undefined,
    });
    if (values.json) {
      printJson({
        verified: report.ok,
        chainChecked: client !== null,
        signer: report.signer,
        subject: report.manifest?.subject ?? null,
        issuer: report.manifest?.issuer ?? null,
        bundles: report.bundles,
        bundlesComplete: report.bundlesComplete,
        checks: report.checks,
      });
    } else {
      for (const c of report.checks) process.stdout.write(`${c.ok ? (c.partial ? '–' : '✔') : '✘'} ${c.file}: ${c.detail}\n`);
      const bad = report.checks.filter((c) => !c.ok);
      if (report.ok) {
        process.stdout.write(
          `VERIFIED dossier of ${report.manifest?.subject.shipmentId}, signed by ${report.signer}${report.manifest?.issuer.name ? ` (${report.manifest.issuer.name})` : ''}; ${report.bundles} proof bundles${client ? `, ${report.bundlesComplete} checked against the chain` : ' (anchors and device keys not checked: give --rpc URL)'}\n`,
        );
      } else process.stdout.write(`NOT VERIFIED: ${bad.map((c) => c.file).join(', ')}\n`);
    }
    return report.ok ? EXIT.ok : EXIT.notVerified;
  },
};

export const claimCommands: Command[] = [dossierCommand, verifyDossierCommand];
