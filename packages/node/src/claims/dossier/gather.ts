// Gathers what a dossier states from the node's own objects and the chain:
// the shipment and its excursion (the monitor), the policy terms, token and
// organisations (the chain), the claim as the contract accepted it (decoded
// from its transaction), the readings around the excursion and a proof bundle
// for every reading of it (the log), each bundle verified against the chain,
// and the log audit. Reads only; nothing here writes.
import { decodeEventLog, decodeFunctionData, type Hex, isAddressEqual } from 'viem';
import type { PolicyTerms } from '@tradetwin/contracts/cover';
import { bundleChainReaders } from '@tradetwin/contracts/bundle-readers';
import { parametricCoverAbi, settlementTokenAbi } from '@tradetwin/contracts/generated/index';
import { verifyBundle } from '@tradetwin/core/proof/verify-bundle';
import type { Excursion } from '@tradetwin/core/rules/index';
import { decodeTelemetryLeaf } from '../../api/telemetry-view.js';
import type { ChainClients } from '../../chain/clients.js';
import { readPolicy } from '../../chain/cover.js';
import { chainCall, ChainError } from '../../chain/errors.js';
import { LogAnchorClient, type PublishedHead } from '../../chain/log-anchor.js';
import { readChunked } from '../../chain/logs.js';
import { orgOf, readMember } from '../../chain/members.js';
import { checkTelemetryLeaves } from '../../ingest/telemetry-audit.js';
import { auditLog } from '../../log/audit.js';
import type { TransparencyLog } from '../../log/transparency-log.js';
import { buildProofBundle } from '../../proof/bundle.js';
import type { ShipmentMonitor } from '../../shipments/monitor.js';
import type { PayoutRecord, PolicyRecord, ShipmentStore } from '../../storage/shipments.js';
import type { NodeStore } from '../../storage/types.js';
import { cachedReaders } from './cached-readers.js';
import { DossierError } from './errors.js';
import { limitOf, outsideBy } from './limits.js';
import type {
  AuditFacts,
  BundleFacts,
  ClaimableExcursion,
  DossierFacts,
  DossierReading,
  KeyReading,
  Organisation,
  PayoutFacts,
  PolicyFacts,
  TransactionRef,
} from './model.js';

/** Readings shown around an excursion (the CSV): the same margin the claim aggregator gives the oracles. */
export const READINGS_MARGIN_MS = 2 * 3600_000;
/**
 * Beyond this many leaves the dossier does not recompute the whole log (run `tradetwin audit`).
 * Below it, every leaf hash, tile, signed and anchored head is recomputed; the device signatures
 * are re-checked for the evidence leaves (the readings' window) only: re-verifying every
 * envelope of the log costs ~3 ms each, and `tradetwin audit` does that.
 */
export const AUDIT_MAX_LEAVES = 250_000;

export interface DossierSources {
  store: NodeStore;
  log: TransparencyLog;
  shipments: ShipmentStore;
  monitor: ShipmentMonitor;
  clients: ChainClients;
  chain: { chainId: number; memberRegistry: Hex; logAnchor: Hex; deviceRegistry: Hex };
  /** The node's account: signs heads, publishes anchors, issues dossiers. */
  nodeAddress: Hex;
  /** Block-explorer link of a transaction: a URL template holding `{tx}` (TRADETWIN_EXPLORER_TX_URL). */
  explorerTxUrl?: string;
  /** First block to search for policy events (default 0). */
  fromBlock?: number;
  now?: () => number;
}

/** What the dossier is of: a policy's payout, or one excursion, of a shipment. */
export type DossierSubject = { shipmentId: string } & (
  | { policyId: number; cover?: Hex; excursionId?: undefined }
  | { excursionId: Hex; policyId?: undefined; cover?: undefined }
);

export async function gatherDossier(src: DossierSources, subject: DossierSubject): Promise<DossierFacts> {
  const generatedAt = (src.now ?? Date.now)();
  const shipment = await src.shipments.shipment(subject.shipmentId);
  if (!shipment) throw new DossierError('unknown_shipment', `no shipment ${subject.shipmentId}`);
  const policies = await src.shipments.policies(shipment.id);
  const excursions = src.monitor.excursions(shipment.id);

  let policy: PolicyRecord | undefined;
  let payout: PayoutRecord | undefined;
  let x: Excursion | undefined;
  if (subject.policyId !== undefined) {
    policy = policies.find(
      (p) => p.policyId === subject.policyId && (subject.cover === undefined || isAddressEqual(p.cover, subject.cover)),
    );
    if (!policy)
      throw new DossierError(
        'unknown_policy',
        `policy ${subject.policyId}${subject.cover ? ` on ${subject.cover}` : ''} does not cover shipment ${shipment.id}`,
      );
    const ids = new Set(excursions.map((e) => e.id));
    payout = (await src.shipments.payouts(policy.policyId)).find((p) => ids.has(p.excursionId as Hex));
    if (!payout)
      throw new DossierError(
        'no_payout',
        `policy ${policy.policyId} has paid nothing for shipment ${shipment.id}: ask for the dossier of one of its excursions`,
      );
    x = excursions.find((e) => e.id === payout!.excursionId);
  } else {
    x = excursions.find((e) => e.id === subject.excursionId?.toLowerCase());
    if (!x) throw new DossierError('unknown_excursion', `no excursion ${subject.excursionId} on shipment ${shipment.id}`);
    payout = (await src.shipments.payouts()).find((p) => p.excursionId === x!.id);
    policy = payout ? policies.find((p) => p.policyId === payout!.policyId) : policies.find((p) => p.state !== 'cancelled');
  }
  if (!x) throw new DossierError('unknown_excursion', `the excursion paid by policy ${subject.policyId} is no longer known`);
  if (x.kind === 'gap')
    throw new DossierError('unsupported_excursion', `excursion ${x.id} is a silence: it has no readings outside a limit`);
  const excursion: ClaimableExcursion = x;
  const limit = limitOf(excursion, shipment.rules);

  const orgs = organisations(src);
  const readings = await readingsAround(src.store, shipment.devices, excursion);
  const byId = new Map(readings.map((r) => [r.id, r]));
  const keyReadings: KeyReading[] = (['first', 'peak', 'last'] as const).flatMap((role) => {
    const r = byId.get(excursion.evidence.readingIds[role]);
    return r ? [{ role, reading: r, outsideBy: outsideBy(limit, r.value as number) }] : [];
  });

  const anchorClient = new LogAnchorClient(src.clients, src.chain.logAnchor);
  const published = await anchorClient.anchoredHeads(src.nodeAddress, src.fromBlock ?? 0).catch(() => null);
  const bundles = await bundlesOf(src, excursion, readings, byId);
  const policyFacts = policy ? await policyFactsOf(src, policy, orgs) : null;
  const payoutFacts = payout && policyFacts ? await payoutFactsOf(src, policyFacts, payout, orgs) : null;
  const transactions = await transactionsOf(src, policyFacts, payoutFacts, published);

  return {
    generatedAt,
    issuer: { address: src.nodeAddress, org: await orgs(src.nodeAddress) },
    chain: src.chain,
    shipment,
    subject:
      subject.policyId !== undefined
        ? { kind: 'policy', policyId: subject.policyId }
        : { kind: 'excursion', excursionId: excursion.id },
    excursion,
    limit,
    keyReadings,
    policy: policyFacts,
    payout: payoutFacts,
    transactions,
    readings,
    readingsWindow: { from: excursion.startedAt - READINGS_MARGIN_MS, to: excursion.lastObservedAt + READINGS_MARGIN_MS },
    bundles,
    audit: await auditFacts(src, published, new Set(readings.map((r) => Number(r.id.split(':')[0])))),
  };
}

/** Names of accounts' organisations (MemberRegistry), read once each. */
function organisations(src: DossierSources): (account: Hex) => Promise<Organisation> {
  const cache = new Map<string, Promise<Organisation>>();
  return (account) => {
    const key = account.toLowerCase();
    let hit = cache.get(key);
    if (!hit) {
      hit = (async () => {
        const orgId = await orgOf(src.clients, src.chain.memberRegistry, account);
        const m = orgId > 0 ? await readMember(src.clients, src.chain.memberRegistry, orgId) : null;
        return { orgId, name: m?.name ?? 'not a member', account };
      })();
      cache.set(key, hit);
    }
    return hit;
  };
}

async function readingsAround(
  store: NodeStore,
  devices: readonly { deviceId: string; from: number; to?: number }[],
  x: ClaimableExcursion,
): Promise<DossierReading[]> {
  const from = x.startedAt - READINGS_MARGIN_MS;
  const to = x.lastObservedAt + READINGS_MARGIN_MS;
  const out: DossierReading[] = [];
  for (const d of devices) {
    const lo = Math.max(from, d.from);
    const hi = Math.min(to, d.to ?? Number.MAX_SAFE_INTEGER);
    if (lo > hi) continue;
    for (const row of await store.telemetry({ deviceId: d.deviceId, from: lo, to: hi })) {
      const leaf = await store.leaf(row.index);
      if (!leaf) continue;
      decodeTelemetryLeaf(leaf.data).readings.forEach((r, pos) => {
        if (r.t >= lo && r.t <= hi)
          out.push({ id: `${row.index}:${pos}`, deviceId: d.deviceId, seq: row.seq, t: r.t, kind: r.k, value: r.v });
      });
    }
  }
  return out.sort((a, b) => a.t - b.t || a.deviceId.localeCompare(b.deviceId) || a.kind.localeCompare(b.kind));
}

/** A proof bundle for every reading of the excursion's sensor from its first reading outside to its closing one, each verified against the chain. */
async function bundlesOf(
  src: DossierSources,
  x: ClaimableExcursion,
  readings: readonly DossierReading[],
  byId: ReadonlyMap<string, DossierReading>,
): Promise<BundleFacts[]> {
  const first = byId.get(x.evidence.readingIds.first);
  const last = byId.get(x.evidence.readingIds.last);
  const ids = new Set(Object.values(x.evidence.readingIds));
  const inside = readings.filter(
    (r) =>
      ids.has(r.id) || (first && last && r.deviceId === x.deviceId && r.kind === first.kind && r.t >= first.t && r.t <= last.t),
  );
  const chain = cachedReaders(bundleChainReaders(src.clients.publicClient, 'the node chain'));
  const out: BundleFacts[] = [];
  for (const r of inside) {
    const bundle = await buildProofBundle(r.id, { store: src.store, log: src.log, chain: src.chain });
    out.push({
      file: `bundles/reading-${r.id.replace(':', '-')}.json`,
      readingId: r.id,
      bundle,
      report: await verifyBundle(bundle, chain),
    });
  }
  return out;
}

async function policyFactsOf(
  src: DossierSources,
  p: PolicyRecord,
  orgs: (a: Hex) => Promise<Organisation>,
): Promise<PolicyFacts> {
  const onChain = await readPolicy(src.clients, p.cover, p.policyId);
  const pc = src.clients.publicClient;
  const tokenAddress = await chainCall('token', () =>
    pc.readContract({ address: p.cover, abi: parametricCoverAbi, functionName: 'token' }),
  );
  const [symbol, decimals] = await Promise.all([
    chainCall('symbol', () => pc.readContract({ address: tokenAddress, abi: settlementTokenAbi, functionName: 'symbol' })),
    chainCall('decimals', () => pc.readContract({ address: tokenAddress, abi: settlementTokenAbi, functionName: 'decimals' })),
  ]);
  const insurer = onChain.insurerOrg > 0 ? await readMember(src.clients, src.chain.memberRegistry, onChain.insurerOrg) : null;
  return {
    policyId: p.policyId,
    cover: p.cover,
    state: onChain.state,
    terms: onChain.terms as PolicyTerms,
    insurer: insurer ? { orgId: insurer.orgId, name: insurer.name } : null,
    holder: await orgs(onChain.terms.holder),
    token: { address: tokenAddress, symbol, decimals: Number(decimals) },
    boundAt: onChain.boundAt > 0 ? onChain.boundAt * 1000 : null,
  };
}

async function payoutFactsOf(
  src: DossierSources,
  policy: PolicyFacts,
  p: PayoutRecord,
  orgs: (a: Hex) => Promise<Organisation>,
): Promise<PayoutFacts> {
  const txHash = p.txHash as Hex;
  const [tx, receipt] = await Promise.all([
    chainCall('getTransaction', () => src.clients.publicClient.getTransaction({ hash: txHash })),
    chainCall('getTransactionReceipt', () => src.clients.publicClient.getTransactionReceipt({ hash: txHash })),
  ]);
  const call = decodeFunctionData({ abi: parametricCoverAbi, data: tx.input });
  if (call.functionName !== 'claim') throw new ChainError('reverted', `transaction ${txHash} is not a claim`);
  const a = call.args[0];
  let amount = BigInt(p.amount);
  let bitmap = 0n;
  for (const log of receipt.logs) {
    if (!isAddressEqual(log.address, policy.cover)) continue;
    try {
      const ev = decodeEventLog({ abi: parametricCoverAbi, data: log.data, topics: log.topics });
      if (ev.eventName === 'ClaimPaid') {
        amount = ev.args.amount;
        bitmap = ev.args.orgBitmap;
      }
    } catch {
      // another event of the cover
    }
  }
  const attestedBy: Organisation[] = [];
  for (let id = 1; bitmap >> BigInt(id) > 0n; id++) {
    if (((bitmap >> BigInt(id)) & 1n) === 0n) continue;
    const m = await readMember(src.clients, src.chain.memberRegistry, id);
    attestedBy.push({ orgId: id, name: m?.name ?? `member ${id}` });
  }
  // Signer accounts the node recorded, named where they belong to a counted organisation.
  for (const s of p.signers) {
    const o = await orgs(s as Hex);
    const counted = attestedBy.find((m) => m.orgId === o.orgId);
    if (counted && !counted.account) counted.account = s as Hex;
  }
  const contractPayoutFor = await chainCall('payoutFor', () =>
    src.clients.publicClient.readContract({
      address: policy.cover,
      abi: parametricCoverAbi,
      functionName: 'payoutFor',
      args: [BigInt(policy.policyId), a.minutesOutside],
    }),
  ).catch(() => null);
  return {
    amount,
    txHash,
    paidAt: p.paidAt,
    attestation: {
      excursionId: a.excursionId,
      startedAt: Number(a.startedAt),
      endedAt: Number(a.endedAt),
      minutesOutside: a.minutesOutside,
      peakCentiC: a.peakCentiC,
      logPublisher: a.logPublisher,
      logSize: Number(a.logSize),
      logRoot: a.logRoot,
    },
    contractPayoutFor,
    attestedBy,
  };
}

async function transactionsOf(
  src: DossierSources,
  policy: PolicyFacts | null,
  payout: PayoutFacts | null,
  published: PublishedHead[] | null,
): Promise<TransactionRef[]> {
  const found: { what: string; hash: Hex; blockNumber: bigint | null }[] = [];
  if (policy) {
    for (const eventName of ['PolicyOffered', 'PolicyBound'] as const) {
      const { items } = await readChunked(src.clients, { fromBlock: src.fromBlock ?? 0 }, (fromBlock, toBlock) =>
        src.clients.publicClient.getContractEvents({
          address: policy.cover,
          abi: parametricCoverAbi,
          eventName,
          args: { policyId: BigInt(policy.policyId) },
          fromBlock,
          toBlock,
        }),
      );
      for (const l of items)
        found.push({
          what: eventName === 'PolicyOffered' ? 'Policy offered' : 'Policy bound',
          hash: l.transactionHash,
          blockNumber: l.blockNumber,
        });
    }
  }
  if (payout) {
    const head = published?.find((h) => h.size === payout.attestation.logSize);
    if (head)
      found.push({ what: `Evidence anchored (log size ${head.size})`, hash: head.txHash, blockNumber: BigInt(head.blockNumber) });
    found.push({ what: 'Claim paid', hash: payout.txHash, blockNumber: null });
  }
  const out: TransactionRef[] = [];
  for (const f of found) {
    let blockNumber = f.blockNumber;
    if (blockNumber === null) {
      const r = await chainCall('getTransactionReceipt', () => src.clients.publicClient.getTransactionReceipt({ hash: f.hash }));
      blockNumber = r.blockNumber;
    }
    const block = await chainCall('getBlock', () => src.clients.publicClient.getBlock({ blockNumber: blockNumber! }));
    out.push({
      what: f.what,
      hash: f.hash,
      blockNumber: Number(blockNumber),
      at: Number(block.timestamp) * 1000,
      url: src.explorerTxUrl ? src.explorerTxUrl.replaceAll('{tx}', f.hash) : null,
    });
  }
  return out;
}

async function auditFacts(
  src: DossierSources,
  published: PublishedHead[] | null,
  evidenceLeaves: ReadonlySet<number>,
): Promise<AuditFacts> {
  if (src.log.size > AUDIT_MAX_LEAVES)
    return { ran: false, reason: `the log holds ${src.log.size} leaves; run "tradetwin audit" on the node` };
  const checkContent = await checkTelemetryLeaves(src.store);
  const r = await auditLog({
    store: src.store,
    anchoredHeads: published,
    nodeAddress: src.nodeAddress,
    checkLeaf: (leaf) => (evidenceLeaves.has(leaf.index) ? checkContent(leaf) : null),
  });
  return {
    ran: true,
    ok: r.ok,
    size: r.size,
    leavesChecked: r.leavesChecked,
    contentChecked: evidenceLeaves.size,
    anchoredHeads: r.anchoredHeads.checked,
    firstBad: r.firstBad ? `${r.firstBad.problem}: ${r.firstBad.detail}` : null,
  };
}
