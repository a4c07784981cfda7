// `tradetwin demo`: scenario S1 end to end on a real node, in compressed time.
// Three member organisations, each with its own key and oracle; a reefer
// logger and a GPS tracker whose readings arrive as store-and-forward uploads
// at each port; the door left open at Mombasa; the policy pays out on 2-of-n
// attestations of oracles that re-verified the evidence from the chain.
//
// Compressed time: the journey took place over the past ~19 days. The embedded
// chain is started with its genesis just before the journey, so the policy is
// bound before the goods leave; then the chain clock jumps to the present and
// the loggers deliver their buffers.
import type { Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { bundleChainReaders } from '@tradetwin/contracts/bundle-readers';
import { fundAccount, rpc } from '@tradetwin/contracts/devchain';
import { verifyBundle } from '@tradetwin/core/proof/verify-bundle';
import type { BandExcursion, Excursion, LocationEvent } from '@tradetwin/core/rules/index';
import { formatAmount, moneyJson } from '@tradetwin/core/money/format';
import type { MoneyJson } from '@tradetwin/core/wire/money';
import type { OrgRefJson } from '@tradetwin/core/wire/orgs';
import { type ChainClients, createChainClients } from '../chain/clients.js';
import { ChainDirectory } from '../chain/directory.js';
import {
  balanceOf,
  bindPolicy,
  depositCapital,
  deployParametricCover,
  deploySettlementToken,
  mint,
  offerPolicy,
} from '../chain/cover.js';
import { registerDevice } from '../chain/devices.js';
import { LogAnchorClient } from '../chain/log-anchor.js';
import { admitByVote } from '../chain/governance.js';
import { ROLES } from '../chain/members.js';
import { createSimulatedDevice, type SimulatedDevice } from '../device/simulator.js';
import { checkTelemetryLeaves } from '../ingest/telemetry-audit.js';
import { auditLog } from '../log/audit.js';
import type { RunningNode } from '../node.js';
import type { ClaimOutcome } from '../oracle/claims.js';
import { Oracle } from '../oracle/oracle.js';
import { buildProofBundle } from '../proof/bundle.js';
import {
  BAND_RULE_ID,
  DEVICES,
  demoShipment,
  JOURNEY_MS,
  journeyRoute,
  PLACES,
  s1PolicyTerms,
  SHIPMENT_ID,
  SHIPMENT_REFERENCES,
  TIMELINE,
  UPLOADS,
} from './scenario.js';

const USD = 1_000_000n; // tUSD has 6 decimals

export interface DemoEvent {
  at: number;
  kind: string;
  text: string;
  data?: Record<string, unknown>;
}

export interface DemoResult {
  shipments: unknown[];
  excursions: Excursion[];
  /** Geofence stays (entry/exit at the places' UN/LOCODEs), route deviations and stops from the tracker's fixes. */
  locationEvents: LocationEvent[];
  policies: unknown[];
  /** amount: raw token units; money: the same with the token's symbol and decimals, read from the chain. */
  payouts: {
    policyId: number;
    amount: string;
    money: MoneyJson | null;
    txHash: string;
    latencyMs?: number;
    signers: string[];
    signerOrgs: OrgRefJson[];
  }[];
  audit: { ok: boolean; size: number; anchoredHeads: number; firstBad: unknown };
  proof: { readingId: string; ok: boolean; checks: { name: string; ok: boolean }[] };
  contracts: Record<string, string>;
}

/** Where the journey starts: far enough back that it has ended by now. */
export function journeyStart(now: number): number {
  return Math.floor((now - JOURNEY_MS - 6 * 3600_000) / 60_000) * 60_000;
}

export async function runDemo(node: RunningNode, start: number, say: (e: DemoEvent) => void): Promise<DemoResult> {
  const tell = (kind: string, text: string, data?: Record<string, unknown>) =>
    say({ at: Date.now(), kind, text, ...(data ? { data } : {}) });
  const rpcUrl = node.rpcUrl;
  const chainId = node.clients.chain.id;
  const clientsFor = (key: Hex): ChainClients =>
    createChainClients({ rpcUrl, chainId, signerKey: key, gasPrice: 'auto', pollingIntervalMs: 100 });

  // 1. The consortium: the carrier runs this node; the shipper and the insurer join.
  const carrier = node.clients;
  const shipper = clientsFor(generatePrivateKey());
  const insurer = clientsFor(generatePrivateKey());
  for (const c of [shipper, insurer]) await fundAccount(rpcUrl, c.account.address, 10n ** 21n);
  const registry = node.contracts.memberRegistry;
  // Admission by vote (S9): the carrier founded the network; it proposes the shipper and votes
  // (a majority of one), then the insurer, on which the carrier and the shipper both vote.
  const governance = node.contracts.governance;
  if (!governance) throw new Error('the demo needs a network with ConsortiumGovernance (deployed by this node)');
  const [shipperId] = await admitByVote(carrier, governance, [
    { account: shipper.account.address, name: 'Pharma Manufacturer NV', roles: ROLES.SHIPPER | ROLES.ORACLE },
  ]);
  const [insurerId] = await admitByVote(
    carrier,
    governance,
    [{ account: insurer.account.address, name: 'Cold Chain Insurance plc', roles: ROLES.INSURER | ROLES.ORACLE }],
    [shipper],
  );
  const shipperOrg = { orgId: shipperId ?? 0 };
  const insurerOrg = { orgId: insurerId ?? 0 };
  tell(
    'members',
    `consortium: Ocean Carrier Ltd (runs this node, ${carrier.account.address}), Pharma Manufacturer NV (org ${shipperOrg.orgId}), Cold Chain Insurance plc (org ${insurerOrg.orgId}); each with its own key and oracle`,
  );

  // 2. Money: a test stablecoin, the cover contract (2 distinct oracle organisations), capital, the policy.
  const token = await deploySettlementToken(carrier, {
    name: 'TradeTwin USD',
    symbol: 'tUSD',
    decimals: 6,
    minter: carrier.account.address,
  });
  const cover = await deployParametricCover(carrier, {
    members: registry,
    anchor: node.contracts.logAnchor,
    token: token.address,
    threshold: 2,
  });
  // The token as its contract reports it (symbol, decimals): every amount the demo prints is shown in it.
  const names = new ChainDirectory(carrier, registry);
  const tUSD = (await names.coverToken(cover.address)) ?? { symbol: 'tUSD', decimals: 6 };
  await mint(carrier, token.address, insurer.account.address, 1_000_000n * USD);
  await mint(carrier, token.address, shipper.account.address, 10_000n * USD);
  await depositCapital(insurer, cover.address, token.address, 500_000n * USD);
  tell(
    'contracts',
    `ParametricCover ${cover.address} (threshold 2 organisations), tUSD ${token.address}; insurer deposited 500,000 tUSD`,
    {
      cover: cover.address,
      token: token.address,
    },
  );
  const terms = s1PolicyTerms({
    holder: shipper.account.address,
    shipmentId: SHIPMENT_ID,
    start,
    logPublisher: node.address,
  });
  const offered = await offerPolicy(insurer, cover.address, terms);
  await bindPolicy(shipper, cover.address, token.address, offered.policyId, terms.premium);
  tell(
    'policy',
    `policy ${offered.policyId} bound: ${formatAmount(terms.sumInsured, tUSD)} insured, premium ${formatAmount(terms.premium, tUSD)}; 2–8 °C, 30 min tolerance, 20% per started hour beyond, all from 4 h`,
    {
      policyId: offered.policyId,
    },
  );

  // 3. Devices: a P-256 reefer logger and an Ed25519 GPS tracker, registered by the carrier.
  const profile = { ambient: 13.9, doorOpensPerDay: 0, shockSpikesPerDay: 0.5, ambientHumidity: 70 };
  const reefer = createSimulatedDevice({
    deviceId: DEVICES.reefer,
    keyType: 1,
    kinds: ['temp', 'rh', 'door', 'lux', 'shock'],
    startAt: start,
    intervalMs: 5 * 60_000,
    seed: 'demo-reefer',
    profile,
    doorOpenings: [{ at: start + TIMELINE.doorOpen, durationMs: TIMELINE.doorOpenMs }],
    fastSigning: true,
  });
  const tracker = createSimulatedDevice({
    deviceId: DEVICES.tracker,
    keyType: 2,
    kinds: ['pos', 'batt'],
    startAt: start,
    intervalMs: 30 * 60_000,
    seed: 'demo-tracker',
    route: journeyRoute(),
  });
  for (const d of [reefer, tracker]) {
    await registerDevice(carrier, node.contracts.deviceRegistry, d.registration);
  }
  tell('devices', `registered ${DEVICES.reefer} (ES256) and ${DEVICES.tracker} (EdDSA) in DeviceRegistry`);

  // 4. The shipment twin, watched by the rules; its policy is claimed by the aggregator.
  const def = demoShipment(start, {
    shipper: shipper.account.address,
    carrier: carrier.account.address,
    insurer: insurer.account.address,
  });
  await node.shipments.putShipment(def, Date.now());
  await node.monitor.watch(def);
  await node.shipments.putPolicy({
    policyId: offered.policyId,
    cover: cover.address,
    shipmentId: SHIPMENT_ID,
    terms: jsonSafe(terms),
    state: 'bound',
  });
  // The partners' oracles read evidence with a credential the node's operator issued them (log:read), as any organisation's would.
  const evidenceToken = (await node.access.createCredential('partner oracles - evidence', ['log:read'])).token;
  const fetchEvidence = async (q: { deviceId: string; from: number; to: number }) => {
    const res = await fetch(
      `${node.httpUrl}/api/v1/evidence?deviceId=${encodeURIComponent(q.deviceId)}&from=${q.from}&to=${q.to}`,
      { headers: { authorization: `Bearer ${evidenceToken}` } },
    );
    if (!res.ok) throw new Error(`evidence: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  const contracts = { deviceRegistry: node.contracts.deviceRegistry, logAnchor: node.contracts.logAnchor };
  const oracles = [
    new Oracle({ name: 'Ocean Carrier Ltd', clients: carrier, contracts, fetchEvidence }),
    new Oracle({ name: 'Cold Chain Insurance plc', clients: insurer, contracts, fetchEvidence }),
    new Oracle({ name: 'Pharma Manufacturer NV', clients: shipper, contracts, fetchEvidence }),
  ];
  const outcomes: ClaimOutcome[] = [];
  const claims = node.enableClaims({
    cover: cover.address,
    memberRegistry: registry,
    oracles,
    threshold: 2,
    onOutcome: (o) => outcomes.push(o),
  });
  tell(
    'shipment',
    `shipment ${SHIPMENT_ID}: ${PLACES.brussels.name} → ${PLACES.antwerp.name} → ${PLACES.mombasa.name} → ${PLACES.nairobi.name}, departed ${new Date(start).toISOString()}`,
  );

  // 5. Now the present: the goods travelled while the loggers buffered.
  await rpc(rpcUrl, 'evm_setNextBlockTimestamp', [Math.floor(Date.now() / 1000)]);
  await rpc(rpcUrl, 'evm_mine', []);

  const reported = new Set<string>();
  const crossed = new Set<string>();
  for (const upload of UPLOADS) {
    const envelopes = [
      ...bufferUntil(reefer, start + upload.at, 12, 5 * 60_000, 5),
      // The tracker's fix at the hand-over itself too: where the goods were when they were delivered.
      ...bufferUntil(tracker, start + upload.at + 1, 12, 30 * 60_000, 2),
    ];
    const res = await fetch(`${node.httpUrl}/api/v1/telemetry`, {
      method: 'POST',
      headers: { 'content-type': 'application/cbor-seq' },
      body: Buffer.concat(envelopes),
    });
    const body = (await res.json()) as { accepted: number; rejected: number; results: { readings?: number }[] };
    const readings = body.results.reduce((n, r) => n + (r.readings ?? 0), 0);
    tell(
      'upload',
      `${upload.where}: ${body.accepted} signed envelopes (${readings} readings) accepted, ${body.rejected} rejected`,
      {
        accepted: body.accepted,
        readings,
      },
    );
    await node.monitor.idle();
    for (const x of node.monitor.excursions(SHIPMENT_ID)) {
      const key = `${x.id}:${x.open}:${x.breached}`;
      if (reported.has(key) || x.open) continue;
      reported.add(key);
      tell('excursion', describeExcursion(x), { id: x.id, ruleId: x.ruleId, breached: x.breached });
    }
    // The tracker's signed fixes through the location rules: each confirmed crossing of a place's fence once.
    for (const e of node.monitor.locationEvents(SHIPMENT_ID)) {
      for (const line of describeLocationEvent(e)) {
        if (crossed.has(line.key)) continue;
        crossed.add(line.key);
        tell('location', line.text, { id: e.id, ruleId: e.ruleId, kind: e.kind });
      }
    }
    const anchored = await node.anchorer.anchorNow();
    if (anchored)
      tell('anchor', `log head size ${anchored.size} anchored in LogAnchor, tx ${anchored.txHash}`, {
        size: anchored.size,
        txHash: anchored.txHash,
      });
    await claims.idle();
    for (const o of outcomes.splice(0)) tell('claim', describeClaim(o, tUSD), { ...jsonSafe(o) });
  }

  // 5b. The terminals' EPCIS events for the container: gate-in and loading at Antwerp, discharge and
  // gate-out at Mombasa. The node derives DCSA equipment events from them, as it derived the reefer alarm
  // and the door opening from the excursions.
  const container = `urn:epc:id:bic:${SHIPMENT_REFERENCES.equipment}`;
  const terminalEvents: [string, number, string][] = [
    ['arriving', TIMELINE.arriveAntwerp, PLACES.antwerp.unlocode],
    ['loading', TIMELINE.sail - 30 * 60_000, PLACES.antwerp.unlocode],
    ['unloading', TIMELINE.arriveMombasa + 3600_000, PLACES.mombasa.unlocode],
    ['departing', TIMELINE.departMombasa, PLACES.mombasa.unlocode],
  ];
  for (const [bizStep, at, locode] of terminalEvents) {
    const res = await fetch(`${node.httpUrl}/epcis/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${node.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
        type: 'ObjectEvent',
        eventTime: new Date(start + at).toISOString(),
        eventTimeZoneOffset: '+00:00',
        epcList: [container],
        action: 'OBSERVE',
        bizStep,
        bizLocation: { id: `https://tradetwin.dev/unlocode/${locode}` },
        bizTransactionList: [{ type: 'bol', bizTransaction: `urn:epcglobal:cbv:bt:${SHIPMENT_REFERENCES.transportDocument}` }],
      }),
    });
    if (res.status !== 201) tell('epcis', `${bizStep} at ${locode} not captured: ${res.status} ${await res.text()}`);
  }
  await node.dcsaDeriver.idle();
  const dcsa = await node.dcsa.query({ equipmentReference: SHIPMENT_REFERENCES.equipment }, 100);
  tell(
    'dcsa',
    `DCSA Track & Trace: ${dcsa.rows.length} events for container ${SHIPMENT_REFERENCES.equipment} derived from evidence (${dcsa.rows.map((r) => r.equipmentEventTypeCode ?? r.transportEventTypeCode ?? r.eventType).join(', ')})`,
    { count: dcsa.rows.length },
  );

  // 6. Anyone can check: one reading of the excursion, verified against the chain; the whole log audited.
  const x = node.monitor
    .excursions(SHIPMENT_ID)
    .find((e): e is BandExcursion => e.kind === 'band' && e.ruleId === BAND_RULE_ID && e.breached);
  const readingId = x?.evidence.readingIds.peak ?? '0:0';
  const bundle = await buildProofBundle(readingId, {
    store: node.store,
    log: node.log,
    chain: { chainId, logAnchor: node.contracts.logAnchor, deviceRegistry: node.contracts.deviceRegistry },
  });
  const proof = await verifyBundle(bundle, bundleChainReaders(carrier.publicClient, 'the embedded chain'));

  tell(
    'proof',
    `peak reading ${readingId} (${bundle.device.id}): ${proof.checks.map((c) => `${c.name} ${c.ok ? '✔' : '✘'}`).join(', ')}`,
  );
  const audit = await auditLog({
    store: node.store,
    anchoredHeads: await new LogAnchorClient(carrier, node.contracts.logAnchor).anchoredHeads(node.address),
    nodeAddress: node.address,
    checkLeaf: await checkTelemetryLeaves(node.store),
  });
  tell(
    'audit',
    `audit of ${audit.size} leaves against ${audit.anchoredHeads.checked} anchored heads: ${audit.ok ? 'OK' : 'FAILED'}`,
  );
  const shipperBalance = await balanceOf(carrier, token.address, shipper.account.address);
  tell(
    'balance',
    `shipper's ${tUSD.symbol} balance now ${formatAmount(shipperBalance, tUSD)} (paid ${formatAmount(terms.premium, tUSD)} premium)`,
  );

  const payouts = await node.shipments.payouts();
  return {
    shipments: [{ ...def, status: 'arrived' }],
    excursions: node.monitor.excursions(SHIPMENT_ID),
    locationEvents: node.monitor.locationEvents(SHIPMENT_ID),
    policies: [
      {
        policyId: offered.policyId,
        cover: cover.address,
        ...jsonSafe(terms),
        money: { premium: moneyJson(terms.premium, tUSD), sumInsured: moneyJson(terms.sumInsured, tUSD) },
        state: payouts.length ? 'paid' : 'bound',
      },
    ],
    payouts: await Promise.all(
      payouts.map(async (p) => ({
        policyId: p.policyId,
        amount: p.amount,
        money: moneyJson(p.amount, tUSD),
        txHash: p.txHash,
        signers: p.signers,
        signerOrgs: await Promise.all(p.signers.map((a) => names.org(a))),
      })),
    ),
    audit: { ok: audit.ok, size: audit.size, anchoredHeads: audit.anchoredHeads.checked, firstBad: audit.firstBad },
    proof: { readingId, ok: proof.ok && proof.complete, checks: proof.checks.map((c) => ({ name: c.name, ok: c.ok })) },
    contracts: { ...node.contracts, cover: cover.address, token: token.address },
  };
}

/** Everything the device sampled before `until`, signed into envelopes of up to `samples` samples each. */
function bufferUntil(d: SimulatedDevice, until: number, samples: number, intervalMs: number, kinds: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  while (d.now < until) {
    const left = Math.ceil((until - d.now) / intervalMs);
    out.push(d.nextEnvelope(Math.min(samples, left) * kinds));
  }
  return out;
}

function describeExcursion(x: Excursion): string {
  const mins = Math.round(x.minutesOutside);
  const when = `${new Date(x.startedAt).toISOString()} → ${x.endedAt ? new Date(x.endedAt).toISOString() : 'ongoing'}`;
  switch (x.kind) {
    case 'band':
      return `${x.breached ? 'BREACH' : 'excursion'} ${x.ruleId} on ${x.deviceId}: ${x.sensor} ${x.direction} band for ${mins} min, peak ${x.peak.toFixed(2)}${x.sensor === 'temp' ? ' °C' : ' %'}${x.shelfDaysLost ? `, ${x.shelfDaysLost.toFixed(1)} shelf-days lost` : ''} (${when}; leaves ${x.evidence.firstLeafIndex}–${x.evidence.lastLeafIndex})`;
    case 'light':
      return `container opened outside allowed places (${x.ruleId}) for ${mins} min at ${x.position ? x.position.map((v) => v.toFixed(3)).join(', ') : 'unknown position'} (${when})`;
    case 'threshold':
      return `shock ${x.peak.toFixed(1)} g above limit (${x.ruleId}) at ${new Date(x.startedAt).toISOString()}`;
    case 'gap':
      return `no data for ${mins} min (${x.ruleId}, ${when})`;
  }
}

/** One line per confirmed fact of a location event (a geofence stay's entry and exit are two), with a key to tell each once. */
function describeLocationEvent(e: LocationEvent): { key: string; text: string }[] {
  const at = (t: number) => new Date(t).toISOString();
  switch (e.kind) {
    case 'geofence': {
      const where = `${e.zone.name}${e.zone.unlocode ? ` (${e.zone.unlocode})` : ''}`;
      const proof = (c: { fixes: { readingId: string }[] }) => `fixes ${c.fixes.map((f) => f.readingId).join(', ')}`;
      return [
        ...(e.entry ? [{ key: `${e.id}:entry`, text: `geofence ENTRY ${where} at ${at(e.entry.at)} (${proof(e.entry)})` }] : []),
        ...(e.exit ? [{ key: `${e.id}:exit`, text: `geofence EXIT ${where} at ${at(e.exit.at)} (${proof(e.exit)})` }] : []),
      ];
    }
    case 'corridor':
      return e.open
        ? []
        : [
            {
              key: e.id,
              text: `route deviation (${e.ruleId}): up to ${(e.peak.distanceM / 1000).toFixed(1)} km off the planned route, ${at(e.startedAt)} for ${Math.round(e.durationMinutes)} min`,
            },
          ];
    case 'stop':
      return e.open
        ? []
        : [
            {
              key: e.id,
              text: `unscheduled stop (${e.ruleId}) at ${e.position.map((v) => v.toFixed(3)).join(', ')}, ${at(e.startedAt)} for ${Math.round(e.durationMinutes)} min`,
            },
          ];
  }
}

function describeClaim(o: ClaimOutcome, token: { symbol: string; decimals: number }): string {
  const who = o.signers.map((s) => (s.error ? `${s.oracle}: refused (${s.error})` : `${s.oracle} signed`)).join('; ');
  if (o.status !== 'paid') return `claim on policy ${o.policyId} not submitted: ${o.detail ?? o.status} — ${who}`;
  return `PAYOUT ${formatAmount(o.amount!, token)} on policy ${o.policyId}, tx ${o.txHash}, ${o.latencyMs} ms after the excursion was recorded — ${who}`;
}

function jsonSafe<T>(v: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))) as Record<string, unknown>;
}
