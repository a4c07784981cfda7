// Parametric cover on a real node, for tests: the consortium of the demo
// (demo/run.ts) — the carrier runs the node, a shipper and an insurer join
// with their own keys, each organisation an ORACLE — a settlement token, a
// ParametricCover with threshold 2 and a funded insurer. Journeys add a
// shipment watched by node.monitor, a registered reefer logger and a policy
// bound before the goods leave; their signed readings hold a chosen
// excursion (20 min: within the 30-minute tolerance; 95 min: breached).
//
// Compressed time, as in the demo: the embedded chain starts ~30 days back
// and runs at wall-clock speed from there. Every journey takes the next free
// slot of that past (after the chain's clock), so its policy is bound and its
// device registered before its first reading; delivering it moves the chain
// clock past its last reading (the contract pays only for an excursion that
// is over), never backwards. Readings stay in the past of the node's clock,
// like store-and-forward uploads. Anchoring happens on demand only
// (anchorNow, or the claim aggregator), so a test controls what is anchored.
import type { Address, Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { rpc as devRpc, fundAccount } from '@tradetwin/contracts/devchain';
import type { DeviceKey } from '@tradetwin/core/device/keys';
import type { BandExcursion, Excursion } from '@tradetwin/core/rules/index';
import { signTelemetry } from '@tradetwin/core/telemetry/envelope';
import type { Reading } from '@tradetwin/core/telemetry/payload';
import type { EvidencePackage } from '@tradetwin/core/proof/evidence';
import { type ChainClients, createChainClients } from '../chain/clients.js';
import {
  balanceOf,
  bindPolicy,
  deployParametricCover,
  deploySettlementToken,
  depositCapital,
  mint,
  offerPolicy,
  type PolicyTerms,
  shipmentIdHash,
} from '../chain/cover.js';
import { ROLES } from '../chain/members.js';
import { admitMembers } from './governance.js';
import type { RunningNode } from '../node.js';
import { attestRequestFor, type ClaimAggregator, type ClaimOutcome, type OracleEndpoint } from '../oracle/claims.js';
import { type AttestRequest, Oracle, type OracleOptions } from '../oracle/oracle.js';
import type { ShipmentDefinition } from '../shipments/definition.js';
import { deviceKey, startTestNode, type TestNode } from './node-fixture.js';

/** tUSD has 6 decimals. */
export const USD = 1_000_000n;
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const BAND_RULE_ID = 'temp-2-8';
/** The evidence margin the claim aggregator asks for around an excursion. */
export const EVIDENCE_MARGIN_MS = 2 * HOUR;

export type OrgKey = 'carrier' | 'shipper' | 'insurer';

export interface Org {
  key: OrgKey;
  name: string;
  orgId: number;
  clients: ChainClients;
  address: Address;
}

export interface JourneyOptions {
  /** Unique within a fixture: shipment `SHP-<name>`, device `reefer-<name>`. */
  name: string;
  /**
   * Minutes the load spends outside 2–8 °C, from the first outside reading to the first one back
   * inside (0: none); several excursions are `gapMinutes` of in-band readings apart.
   */
  excursionMinutes?: number | number[];
  /** In-band minutes between two excursions (default 60). */
  gapMinutes?: number;
  /** °C of the worst reading (default 12.5; below 2 for a freeze). */
  peak?: number;
  /** Minutes of in-band readings before and after the excursion (default 60 each). */
  leadMinutes?: number;
  tailMinutes?: number;
  /** Minutes between readings (default 5). */
  intervalMinutes?: number;
  /** A policy bound before the journey (default), only offered, or none. */
  policy?: 'bound' | 'offered' | 'none';
  terms?: Partial<PolicyTerms>;
  /** First reading at this time (ms) instead of the next free slot: e.g. before the policy is bound. */
  at?: number;
}

export interface Delivery {
  /** Log index of every envelope, in upload order. */
  indices: number[];
  /** Outcomes the claim aggregator reported for this delivery. */
  outcomes: ClaimOutcome[];
}

export interface Journey {
  name: string;
  shipmentId: string;
  device: DeviceKey;
  def: ShipmentDefinition;
  /** null when the journey has no policy. */
  policyId: number | null;
  terms: PolicyTerms;
  /** Time of the first and last reading, ms. */
  from: number;
  to: number;
  /** First reading outside the band and first reading back inside, of the first excursion; null without one. */
  excursion: { startsAt: number; endsAt: number } | null;
  /** The same for every excursion, in time order. */
  excursionTimes: { startsAt: number; endsAt: number }[];
  /** Every temperature reading of the journey, in time order. */
  readings: Reading[];
  /** Sign readings into envelopes of `per` readings (default 3), in the given order, with the device's next sequence numbers. */
  sign(readings?: Reading[], opts?: { per?: number; signedAt?: number }): Uint8Array[];
  /** Move the chain clock past the journey, upload (default: every reading in order), wait for the monitor and the claims. */
  deliver(envelopes?: Uint8Array[], opts?: { anchor?: boolean }): Promise<Delivery>;
  /** The monitor's temperature band excursions of this shipment. */
  excursions(): BandExcursion[];
  /** The one band excursion (throws unless there is exactly one). */
  excursion1(): BandExcursion;
  /** What the claim aggregator would ask an oracle for this excursion. */
  request(x: BandExcursion, overrides?: Partial<AttestRequest>): AttestRequest;
}

export interface CoverFixture {
  t: TestNode;
  node: RunningNode;
  orgs: Record<OrgKey, Org>;
  token: Address;
  cover: Address;
  threshold: number;
  /** The oracle of each organisation, fetching evidence from the node's API. */
  oracles: Record<OrgKey, Oracle>;
  /** Another oracle of an organisation (its own fetchEvidence, clock, deadline limit). */
  oracle(
    org: OrgKey,
    opts?: Partial<Pick<OracleOptions, 'fetchEvidence' | 'now' | 'maxDeadlineSeconds' | 'clients'>> & { name?: string },
  ): Oracle;
  /** GET /api/v1/evidence. */
  fetchEvidence(q: { deviceId: string; from: number; to: number }): Promise<EvidencePackage>;
  /** The default policy terms for a shipment. */
  defaultTerms(shipmentId: string): PolicyTerms;
  journey(opts: JourneyOptions): Promise<Journey>;
  /** Turn on the claim aggregator (replaces the previous one); outcomes are collected. */
  enableClaims(oracles: OracleEndpoint[], threshold?: number): ClaimAggregator;
  outcomes: ClaimOutcome[];
  /** The chain's clock (latest block), ms. */
  chainNow(): Promise<number>;
  /** Mine a block at `ms` if that is ahead of the chain's clock. */
  advanceChain(ms: number): Promise<void>;
  balance(who: Address): Promise<bigint>;
  /** A funded account of no member organisation. */
  outsider(): Promise<ChainClients>;
  rpc(method: string, params: unknown[]): Promise<unknown>;
  dispose(): Promise<void>;
}

/** Deterministic shuffle (mulberry32). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const ceilMinute = (ms: number) => Math.ceil(ms / MINUTE) * MINUTE;

export async function startCoverFixture(opts: { daysBack?: number } = {}): Promise<CoverFixture> {
  const start = Math.floor((Date.now() - (opts.daysBack ?? 30) * DAY) / MINUTE) * MINUTE;
  const t = await startTestNode({
    configure: (c) => {
      if (c.chain.mode === 'embedded') c.chain = { ...c.chain, genesisTimestamp: Math.floor(start / 1000) - 3600 };
      // Anchor on demand only (anchorNow, the claim aggregator): tests decide what is anchored.
      c.anchor = { ...c.anchor, everyMs: 24 * 3600_000 };
    },
  });
  try {
    return await setUp(t);
  } catch (err) {
    await t.dispose();
    throw err;
  }
}

async function setUp(t: TestNode): Promise<CoverFixture> {
  const node = t.node;
  const rpcUrl = node.rpcUrl;
  const chainId = node.clients.chain.id;
  const clientsFor = (key: Hex): ChainClients =>
    createChainClients({ rpcUrl, chainId, signerKey: key, gasPrice: 'auto', pollingIntervalMs: 50 });
  const rpc = (method: string, params: unknown[]): Promise<unknown> => devRpc(rpcUrl, method, params);

  // The consortium: the carrier runs the node (org 1, every role); the shipper and the insurer join.
  const registry = node.contracts.memberRegistry;
  const shipperClients = clientsFor(generatePrivateKey());
  const insurerClients = clientsFor(generatePrivateKey());
  for (const c of [shipperClients, insurerClients]) await fundAccount(rpcUrl, c.account.address, 10n ** 21n);
  // Admitted by vote (proposed together, so the carrier's organisation is their whole electorate).
  const [shipperId, insurerId] = await admitMembers(node, [
    { account: shipperClients.account.address, name: 'Pharma Manufacturer NV', roles: ROLES.SHIPPER | ROLES.ORACLE },
    { account: insurerClients.account.address, name: 'Cold Chain Insurance plc', roles: ROLES.INSURER | ROLES.ORACLE },
  ]);
  const shipperOrg = { orgId: shipperId! };
  const insurerOrg = { orgId: insurerId! };
  const orgs: Record<OrgKey, Org> = {
    carrier: {
      key: 'carrier',
      name: 'Ocean Carrier Ltd',
      orgId: 1,
      clients: node.clients,
      address: node.clients.account.address,
    },
    shipper: {
      key: 'shipper',
      name: 'Pharma Manufacturer NV',
      orgId: shipperOrg.orgId,
      clients: shipperClients,
      address: shipperClients.account.address,
    },
    insurer: {
      key: 'insurer',
      name: 'Cold Chain Insurance plc',
      orgId: insurerOrg.orgId,
      clients: insurerClients,
      address: insurerClients.account.address,
    },
  };

  // Money: tUSD, the cover (2 distinct oracle organisations), the insurer's capital.
  const threshold = 2;
  const token = (
    await deploySettlementToken(node.clients, {
      name: 'TradeTwin USD',
      symbol: 'tUSD',
      decimals: 6,
      minter: node.clients.account.address,
    })
  ).address;
  const cover = (
    await deployParametricCover(node.clients, { members: registry, anchor: node.contracts.logAnchor, token, threshold })
  ).address;
  await mint(node.clients, token, orgs.insurer.address, 10_000_000n * USD);
  await mint(node.clients, token, orgs.shipper.address, 100_000n * USD);
  await depositCapital(orgs.insurer.clients, cover, token, 5_000_000n * USD);

  // The partners' oracles read evidence with a credential the node's operator issued them (log:read), as any organisation's would.

  const evidenceToken = (await node.access.createCredential('partner oracles - evidence', ['log:read'])).token;

  const fetchEvidence = async (q: { deviceId: string; from: number; to: number }): Promise<EvidencePackage> => {
    const res = await fetch(
      `${node.httpUrl}/api/v1/evidence?deviceId=${encodeURIComponent(q.deviceId)}&from=${q.from}&to=${q.to}`,
      { headers: { authorization: `Bearer ${evidenceToken}` } },
    );
    if (!res.ok) throw new Error(`evidence: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as EvidencePackage;
  };
  const contracts = { deviceRegistry: node.contracts.deviceRegistry, logAnchor: node.contracts.logAnchor };
  const oracle: CoverFixture['oracle'] = (org, o = {}) =>
    new Oracle({
      name: o.name ?? orgs[org].name,
      clients: o.clients ?? orgs[org].clients,
      contracts,
      fetchEvidence: o.fetchEvidence ?? fetchEvidence,
      ...(o.now ? { now: o.now } : {}),
      ...(o.maxDeadlineSeconds !== undefined ? { maxDeadlineSeconds: o.maxDeadlineSeconds } : {}),
    });
  const oracles = { carrier: oracle('carrier'), shipper: oracle('shipper'), insurer: oracle('insurer') };

  const chainNow = async () => Number((await node.clients.publicClient.getBlock({ blockTag: 'latest' })).timestamp) * 1000;
  const advanceChain = async (ms: number) => {
    const target = Math.ceil(ms / 1000);
    if (target * 1000 <= (await chainNow())) return;
    await rpc('evm_setNextBlockTimestamp', [target]);
    await rpc('evm_mine', []);
  };

  const defaultTerms = (shipmentId: string): PolicyTerms => ({
    holder: orgs.shipper.address,
    shipmentId: shipmentIdHash(shipmentId),
    premium: 1_200n * USD,
    sumInsured: 250_000n * USD,
    minCentiC: 200,
    maxCentiC: 800,
    toleranceMinutes: 30,
    catastrophicMinutes: 240,
    payoutPerHourBps: 2_000,
    expiresAt: BigInt(Math.floor((Date.now() + 10 * DAY) / 1000)),
    logPublisher: node.address,
  });

  const outcomes: ClaimOutcome[] = [];
  let claims: ClaimAggregator | null = null;
  let nextSlot = 0;

  const journey = async (o: JourneyOptions): Promise<Journey> => {
    const interval = (o.intervalMinutes ?? 5) * MINUTE;
    const lead = (o.leadMinutes ?? 60) * MINUTE;
    const tail = (o.tailMinutes ?? 60) * MINUTE;
    const gap = (o.gapMinutes ?? 60) * MINUTE;
    const xMins = Array.isArray(o.excursionMinutes) ? o.excursionMinutes : o.excursionMinutes ? [o.excursionMinutes] : [];
    const from = o.at ?? ceilMinute(Math.max(await chainNow(), nextSlot) + 10 * MINUTE);
    const windows: { startsAt: number; endsAt: number }[] = [];
    let cursor = from + lead;
    for (const m of xMins) {
      windows.push({ startsAt: cursor, endsAt: cursor + m * MINUTE });
      cursor += m * MINUTE + gap;
    }
    const to = (windows.length > 0 ? windows[windows.length - 1]!.endsAt : from + lead) + tail;
    if (o.at === undefined) nextSlot = to + 10 * MINUTE;
    const peak = o.peak ?? 12.5;
    const readings: Reading[] = [];
    for (let at = from, i = 0; at <= to; at += interval, i++) {
      let v = 4.5 + (i % 4) * 0.25; // in band, a little compressor ripple
      const w = windows.find((x) => at >= x.startsAt && at < x.endsAt);
      if (w) {
        // Up to the peak in the middle and back: every reading outside the band.
        const xMs = w.endsAt - w.startsAt;
        const f = 1 - Math.abs((at - w.startsAt) / xMs - 0.5) * 2;
        const edge = peak > 8 ? 8.5 : 1.5;
        v = Math.round((edge + (peak - edge) * f) * 16) / 16;
        if (at === w.startsAt + Math.floor(xMs / interval / 2) * interval) v = peak;
      }
      readings.push({ t: at, k: 'temp', v });
    }

    const shipmentId = `SHP-${o.name}`;
    const device = deviceKey(`reefer-${o.name}`, 1);
    const reg = await t.register(device);
    if (reg.status !== 201) throw new Error(`register ${device.deviceId}: HTTP ${reg.status} ${await reg.text()}`);
    const def: ShipmentDefinition = {
      id: shipmentId,
      goods: { description: `Vaccine vials, 2–8 °C (${o.name})`, quantity: 12, unit: 'pallet' },
      parties: [
        { role: 'shipper', name: orgs.shipper.name, account: orgs.shipper.address },
        { role: 'carrier', name: orgs.carrier.name, account: orgs.carrier.address },
        { role: 'insurer', name: orgs.insurer.name, account: orgs.insurer.address },
      ],
      legs: [
        {
          from: { name: 'Port of Antwerp', unlocode: 'BEANR', lat: 51.2637, lon: 4.3986 },
          to: { name: 'Port of Mombasa', unlocode: 'KEMBA', lat: -4.0435, lon: 39.6682 },
          mode: 'sea',
          plannedDeparture: from,
          plannedArrival: to,
        },
      ],
      devices: [{ deviceId: device.deviceId, from: from - HOUR, to: to + HOUR }],
      rules: [{ kind: 'band', id: BAND_RULE_ID, sensor: 'temp', min: 2, max: 8, toleranceMinutes: 30, mode: 'continuous' }],
    };
    await node.shipments.putShipment(def, Date.now());
    await node.monitor.watch(def);

    const terms = { ...defaultTerms(shipmentId), ...o.terms };
    let policyId: number | null = null;
    const mode = o.policy ?? 'bound';
    if (mode !== 'none') {
      policyId = (await offerPolicy(orgs.insurer.clients, cover, terms)).policyId;
      if (mode === 'bound') await bindPolicy(orgs.shipper.clients, cover, token, policyId, terms.premium);
      await node.shipments.putPolicy({ policyId, cover, shipmentId, terms: jsonSafe(terms), state: mode });
    }

    let seq = 0;
    const sign: Journey['sign'] = (rs = readings, so = {}) => {
      const per = so.per ?? 3;
      const out: Uint8Array[] = [];
      for (let i = 0; i < rs.length; i += per) {
        const r = rs.slice(i, i + per);
        const last = Math.max(...r.map((x) => x.t));
        out.push(signTelemetry({ dev: device.deviceId, seq: ++seq, ts: so.signedAt ?? last + 30_000, r }, device));
      }
      return out;
    };
    const excursions = () =>
      node.monitor.excursions(shipmentId).filter((x): x is BandExcursion => x.kind === 'band' && x.ruleId === BAND_RULE_ID);
    const j: Journey = {
      name: o.name,
      shipmentId,
      device,
      def,
      policyId,
      terms,
      from,
      to,
      excursion: windows[0] ?? null,
      excursionTimes: windows,
      readings,
      sign,
      deliver: async (envelopes, d = {}) => {
        await advanceChain(to + MINUTE);
        const seen = outcomes.length;
        const res = await fetch(`${node.httpUrl}/api/v1/telemetry`, {
          method: 'POST',
          headers: { 'content-type': 'application/cbor-seq' },
          body: Buffer.concat(envelopes ?? sign()),
        });
        const body = (await res.json()) as { results: { status: string; index?: number; reason?: string; detail?: string }[] };
        if (res.status !== 200) throw new Error(`upload: HTTP ${res.status} ${JSON.stringify(body)}`);
        const refused = body.results.filter((r) => r.status !== 'accepted');
        if (refused.length > 0) throw new Error(`upload: ${refused.length} envelopes refused: ${JSON.stringify(refused[0])}`);
        await node.monitor.idle();
        if (d.anchor ?? true) await node.anchorer.anchorNow();
        await claims?.idle();
        return { indices: body.results.map((r) => r.index!), outcomes: outcomes.slice(seen) };
      },
      excursions,
      excursion1: () => {
        const xs = excursions();
        if (xs.length !== 1) throw new Error(`${shipmentId}: ${xs.length} band excursions, expected 1`);
        return xs[0]!;
      },
      request: (x, overrides = {}) => ({
        ...attestRequestFor(x, { cover, policyId: policyId ?? 0, shipmentId }, EVIDENCE_MARGIN_MS),
        ...overrides,
      }),
    };
    return j;
  };

  return {
    t,
    node,
    orgs,
    token,
    cover,
    threshold,
    oracles,
    oracle,
    fetchEvidence,
    defaultTerms,
    journey,
    enableClaims: (list, k = threshold) => {
      claims = node.enableClaims({
        cover,
        memberRegistry: registry,
        oracles: list,
        threshold: k,
        onOutcome: (x) => outcomes.push(x),
      });
      return claims;
    },
    outcomes,
    chainNow,
    advanceChain,
    balance: (who) => balanceOf(node.clients, token, who),
    outsider: async () => {
      const c = clientsFor(generatePrivateKey());
      await fundAccount(rpcUrl, c.account.address, 10n ** 20n);
      return c;
    },
    rpc,
    dispose: () => t.dispose(),
  };
}

/** Excursions as JSON-safe records (the monitor's are plain data already). */
export function jsonSafe<T>(v: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))) as Record<string, unknown>;
}

export type { Excursion };
