// `tradetwin consortium demo`: scenario S1 (demo/scenario.ts) across the
// member nodes of a consortium, each organisation in its own process:
//  - on chain, before any node runs (the chain clock still before the
//    journey): the carrier registers the container's devices; the insurer
//    writes the policy, the shipper binds it (holder); the log it names is the
//    carrier node's;
//  - the carrier's node ingests the loggers' store-and-forward uploads and
//    settles the claim (config consortium.claims): it asks the oracle of every
//    member NodeDirectory lists, with RFC 9421 requests signed by its node key;
//  - the carrier's node grants the shipment to the shipper's and the insurer's
//    organisations; their oracles, in their own node processes, attest from
//    their verified mirrors of it (pulled over the network with signed requests,
//    checked against the chain before stored: consortium/oracle-service.ts
//    evidenceSource); the contract pays on two organisations other than the
//    holder (the shipper's own attestation is not counted);
//  - every node's log is audited (`tradetwin audit`, a separate process).
// `shipments` > 1 plays the same journey for several shipments, each with its
// own devices and policy (the benchmark's latency sample).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Address, type Hex, hexToBytes } from 'viem';
import { hashAttestation } from '@tradetwin/contracts/attestation';
import { rpc } from '@tradetwin/contracts/devchain';
import type { BandExcursion, Excursion } from '@tradetwin/core/rules/index';
import type { PayoutJson } from '@tradetwin/core/wire/shipments';
import {
  bindPolicy,
  depositCapital,
  deployParametricCover,
  deploySettlementToken,
  mint,
  offerPolicy,
  submitClaim,
} from '../chain/cover.js';
import { attestRequestFor } from '../oracle/claims.js';
import type { Attestation } from '../oracle/oracle.js';
import { HTTP_SIG_KEY_FILE } from '../peer/keys.js';
import { listNodes } from '../chain/node-directory.js';
import { witnessNameOf } from '../tlog/identity.js';
import { encodeVerifierKey, SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519 } from '@tradetwin/core/tlog/note';
import { directoryOracles } from './oracle-service.js';
import { registerDevice } from '../chain/devices.js';
import { journeyStart } from '../demo/run.js';
import { DEVICES, demoShipment, journeyRoute, s1PolicyTerms, SHIPMENT_ID, TIMELINE, UPLOADS } from '../demo/scenario.js';
import { createSimulatedDevice, type SimulatedDevice } from '../device/simulator.js';
import type { ShipmentDefinition } from '../shipments/definition.js';
import { type PreparedConsortium, prepareConsortium, type RunningConsortium, type RunningMember } from './cluster.js';
import { ConsortiumError } from './orgs.js';
import { type ForkReport, forkAndDetect, witnessReport } from '../tlog/demo-report.js';

const USD = 1_000_000n; // tUSD, 6 decimals
const TRADETWIN_BIN = fileURLToPath(new URL('../../bin/tradetwin.js', import.meta.url));

export interface ConsortiumDemoOptions {
  orgs?: number;
  /** A fresh directory for the consortium (default: a temporary one, removed afterwards). */
  root?: string;
  /** Shipments on the same journey, each with its own devices and policy (default 1). */
  shipments?: number;
  log?: (line: string) => void;
  /** After the payout, make the carrier's node equivocate and show the others catch it (tlog/demo-report.ts). */
  fork?: boolean;
  /**
   * A partner down during the claim: the carrier's node does not settle; once its partners replicated the
   * journey, its node is stopped, and the holder (the shipper) claims with the other members' oracles,
   * which attest from their verified mirrors. Needs 4 organisations (the insurer and the consignee sign).
   */
  partnerDown?: boolean;
}

/** What `consortium demo --json` prints. */
export interface ConsortiumDemoResult {
  nodes: {
    org: string;
    slug: string;
    orgId: number;
    address: string;
    httpUrl: string;
    pid: number;
    audit: { ok: boolean; size: number | null; anchoredHeads: number | null };
  }[];
  payouts: {
    shipmentId: string;
    policyId: number;
    amount: string;
    txHash: string;
    holder: { org: string; address: string };
    /** The attesting organisations the contract counted (never the holder's). */
    signers: { org: string; address: string }[];
    /** From the acknowledgement of the upload that recorded the closing reading to the payout being visible on the carrier's node. */
    latencyMs: number | null;
  }[];
  /**
   * Sharing by grant: the carrier's node granted the shipment(s) to the shipper's and the insurer's
   * organisations; their nodes pulled them with RFC 9421 signed requests and kept what verified against
   * the chain (the anchored head, consistency, inclusion, device signatures). `verified`: leaves in their
   * mirrors; `readings`: readings in the telemetry leaves of their last pull; `refused`: pulls refused.
   */
  replication: {
    verified: number;
    readings: number;
    refused: number;
    byNode: {
      org: string;
      owner: string;
      grants: number;
      headSize: number | null;
      verified: number;
      readings: number;
      refused: number;
    }[];
    note: string;
  };
  /**
   * C2SP witnessing (tlog/): each node's served checkpoint checked against its log key and every other
   * node's witness key as NodeDirectory holds them (quorum: all); `cosigned` counts the nodes whose
   * checkpoint met it.
   */
  witness: { cosigned: number | null; checkpoints: unknown[]; flagged: unknown[]; note: string };
  /** --fork only: the carrier's node equivocated; who caught it, how fast, and whether the proofs verify. */
  fork?: ForkReport;
  /** --partner-down only: whose node was stopped before the claim, and who claimed. */
  partnerDown?: {
    org: string;
    reachable: boolean;
    claimedBy: string;
    oracles: { org: string; signed: boolean; error?: string }[];
  };
}

export async function runConsortiumDemo(opts: ConsortiumDemoOptions = {}): Promise<ConsortiumDemoResult> {
  const log = opts.log ?? (() => undefined);
  const k = opts.shipments ?? 1;
  const down = opts.partnerDown ?? false;
  const orgs = opts.orgs ?? (down ? 4 : 3);
  if (orgs < 3) throw new ConsortiumError('the S1 demo needs at least 3 organisations: carrier, shipper (holder) and insurer');
  if (down && orgs < 4)
    throw new ConsortiumError(
      'a partner down needs at least 4 organisations: with the carrier down, the insurer and the consignee attest (the holder cannot)',
    );
  if (down && opts.fork) throw new ConsortiumError('--fork and --partner-down are separate demonstrations: choose one');
  const root = opts.root ?? mkdtempSync(join(tmpdir(), 'tradetwin-consortium-'));
  const start = journeyStart(Date.now());
  let prepared: PreparedConsortium | null = null;
  let running: RunningConsortium | null = null;
  try {
    prepared = await prepareConsortium({
      root,
      orgs,
      genesisTimestamp: Math.floor((start - 3600_000) / 1000),
      log,
    });
    if (!prepared.fresh) throw new ConsortiumError(`${root} already holds a consortium: the demo needs a fresh --data-dir`);
    const setup = await setUpOnChain(prepared, start, k, log, { carrierSettles: !down });
    // --fork: the carrier's node will be made to equivocate (demonstration only).
    if (opts.fork) prepared.configure('carrier', { tlog: { allowFork: true } });
    // Now the present: the goods travelled while the loggers buffered.
    await rpc(prepared.rpcUrl, 'evm_setNextBlockTimestamp', [Math.floor(Date.now() / 1000)]);
    await rpc(prepared.rpcUrl, 'evm_mine', []);
    running = await prepared.start();
    for (const m of running.members) log(`${m.name}: node pid ${m.pid} at ${m.httpUrl}`);
    const carrier = running.member('carrier');
    const api = nodeApi(carrier);
    for (const s of setup.shipments) {
      await api('POST', '/api/v1/shipments', s.def, 201);
      await api(
        'POST',
        `/api/v1/shipments/${encodeURIComponent(s.def.id)}/policies`,
        { cover: setup.cover, policyId: s.policyId },
        201,
      );
    }
    log(
      `carrier's node watches ${k} shipment(s)${down ? '' : `; it settles the claims with the oracles of ${running.members.length} members`}`,
    );
    // Default deny: the carrier's node grants the shipment(s) to the shipper's and the insurer's organisations
    // (signed grant leaves in its log). Their oracles pull what the grants cover into verified mirrors.
    const partners = down ? running.members.filter((m) => m !== carrier) : [running.member('shipper'), running.member('insurer')];
    for (const s of setup.shipments)
      for (const p of partners) await api('POST', '/api/v1/sharing/grants', { grantee: p.orgId, shipment: s.def.id }, 201);
    log(`carrier's node granted ${k} shipment(s) to ${partners.map((p) => `${p.name} (org ${p.orgId})`).join(' and ')}`);

    // The loggers' uploads at each port, to the carrier's node; a closed breach is paid within seconds.
    // Payouts are watched all along: a payout's latency runs from the acknowledgement of the upload that
    // recorded the excursion's closing reading to the payout being visible on the carrier's node.
    const acked = new Map<string, number>();
    const seen = new Map<number, number>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const paid = (await api('GET', '/api/v1/payouts').catch(() => [])) as PayoutJson[];
        const at = Date.now();
        for (const p of paid) if (!seen.has(p.policyId)) seen.set(p.policyId, at);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const latency = new Map<string, number>();
    try {
      for (const upload of UPLOADS) {
        const sentAt = new Map<string, number>();
        for (const s of setup.shipments) {
          const envelopes = [
            ...bufferUntil(s.reefer, start + upload.at, 12, 5 * 60_000, 5),
            ...bufferUntil(s.tracker, start + upload.at + 1, 12, 30 * 60_000, 2),
          ];
          const res = await fetch(`${carrier.httpUrl}/api/v1/telemetry`, {
            method: 'POST',
            headers: { 'content-type': 'application/cbor-seq' },
            body: Buffer.concat(envelopes),
          });
          const body = (await res.json()) as { accepted: number; rejected: number };
          sentAt.set(s.def.id, Date.now());
          if (s === setup.shipments[0])
            log(`${upload.where}: ${body.accepted} envelopes accepted, ${body.rejected} rejected by the carrier's node`);
        }
        // Breaches closed by this upload: wait for their payouts.
        const waiting: DemoShipment[] = [];
        for (const s of setup.shipments) {
          if (acked.has(s.def.id)) continue;
          const xs = (await api('GET', `/api/v1/shipments/${encodeURIComponent(s.def.id)}/excursions`)) as Excursion[];
          if (xs.some((x) => x.kind === 'band' && x.sensor === 'temp' && x.breached && !x.open)) {
            acked.set(s.def.id, sentAt.get(s.def.id)!);
            waiting.push(s);
          }
        }
        if (down) continue; // nobody claims while the carrier's node is up
        const deadline = Date.now() + 60_000;
        while (waiting.some((s) => !seen.has(s.policyId)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        for (const s of waiting) {
          const at = seen.get(s.policyId);
          if (at === undefined) log(`no payout for ${s.def.id} within 60 s (see ${join(carrier.dir, 'node.log')})`);
          else latency.set(s.def.id, Math.max(0, at - acked.get(s.def.id)!));
        }
      }
    } finally {
      watching = false;
      await watcher;
    }

    const shipper = running.member('shipper');
    const orgOf = (a: string) => running!.members.find((m) => m.address.toLowerCase() === a.toLowerCase());
    let replication: ConsortiumDemoResult['replication'];
    let partnerDown: ConsortiumDemoResult['partnerDown'];
    let paid: PayoutJson[];
    if (down) {
      // The partners replicate the whole journey as anchored; then the carrier's node goes down.
      await waitAnchored(carrier);
      replication = await replicationReport(carrier, partners);
      const excursions = new Map<string, BandExcursion>();
      for (const s of setup.shipments) {
        const xs = (await api('GET', `/api/v1/shipments/${encodeURIComponent(s.def.id)}/excursions`)) as Excursion[];
        const x = xs.find((e): e is BandExcursion => e.kind === 'band' && e.sensor === 'temp' && e.breached && !e.open);
        if (x) excursions.set(s.def.id, x);
      }
      await running.stopMember('carrier');
      const reachable = await fetch(`${carrier.httpUrl}/api/v1/status`, { signal: AbortSignal.timeout(2000) }).then(
        () => true,
        () => false,
      );
      log(`${carrier.name}'s node is ${reachable ? 'STILL UP' : 'down'}: the holder claims with the other members' oracles`);
      const claimed = await claimAsHolder(prepared, running, setup, excursions, log);
      paid = claimed.payouts;
      partnerDown = { org: carrier.name, reachable, claimedBy: shipper.name, oracles: claimed.oracles };
    } else {
      paid = (await api('GET', '/api/v1/payouts')) as PayoutJson[];
      replication = await replicationReport(carrier, partners);
    }
    const payouts = paid.map((p) => {
      const s = setup.shipments.find((x) => x.policyId === p.policyId);
      return {
        shipmentId: s?.def.id ?? '',
        policyId: p.policyId,
        amount: p.amount,
        txHash: p.txHash,
        holder: { org: shipper.name, address: shipper.address },
        signers: p.signers.map((a) => ({ org: orgOf(a)?.name ?? 'unknown', address: a })),
        latencyMs: s ? (latency.get(s.def.id) ?? null) : null,
      };
    });
    for (const p of payouts)
      log(
        `PAYOUT ${p.amount} on policy ${p.policyId} (${p.shipmentId}), ${p.latencyMs} ms; signed by ${p.signers.map((s) => s.org).join(' and ')}`,
      );

    for (const n of replication.byNode)
      log(
        `${n.org}'s mirror of ${n.owner}'s log: ${n.verified} leaves verified against head ${n.headSize} (${n.readings} readings in the last pull, ${n.refused} refused)`,
      );

    // Every node's log against its signed and anchored heads, each by the audit command in its own process.
    const audits = await Promise.all(running.members.map((m) => auditNode(m.dir)));
    const nodes = running.members.map((m, i) => ({
      org: m.name,
      slug: m.slug,
      orgId: m.orgId,
      address: m.address,
      httpUrl: m.httpUrl,
      pid: m.pid,
      audit: audits[i]!,
    }));
    for (const n of nodes) log(`audit of ${n.org}'s log: ${n.audit.ok ? 'OK' : 'FAILED'} (${n.audit.size} leaves)`);
    const up = running.members.filter((m) => !(down && m === carrier));
    // Each node's log key and witness key as NodeDirectory holds them (not as the nodes report them).
    const directory = await listNodes(prepared.clientsOf('shipper'), prepared.state.contracts.nodeDirectory!);
    const witness = await witnessReport(
      up.map((m) => ({ name: m.name, httpUrl: m.httpUrl })),
      {
        keys: up.map((m) => {
          const e = directory.find((n) => n.publisher.toLowerCase() === m.address.toLowerCase());
          return e
            ? {
                logVkey: encodeVerifierKey(e.logOrigin, SIG_TYPE_ED25519, e.checkpointKey),
                witnessVkey: encodeVerifierKey(witnessNameOf(e.logOrigin), SIG_TYPE_COSIGNATURE_V1, e.checkpointKey),
              }
            : null;
        }),
      },
    );
    for (const c of witness.checkpoints)
      log(
        `checkpoint of ${c.org}'s log: size ${c.size}, ${c.cosigners} cosignatures${c.quorum ? ', every peer' : ''}${c.error ? ` (${c.error})` : ''}`,
      );
    const fork = opts.fork
      ? await forkAndDetect(
          running.members.map((m) => ({ name: m.name, httpUrl: m.httpUrl, adminToken: m.adminToken })),
          running.members.indexOf(carrier),
        )
      : undefined;
    for (const d of fork?.detectedBy ?? [])
      log(
        d.ms === null
          ? `EQUIVOCATION by ${fork!.org}'s log NOT caught by ${d.org}`
          : `EQUIVOCATION by ${fork!.org}'s log caught by ${d.org} in ${d.ms} ms; its proof ${d.verified ? 'verifies' : 'DOES NOT verify'} with the log's key alone`,
      );
    return {
      nodes,
      payouts,
      replication,
      witness: {
        ...witness,
        note: 'each node pushes its checkpoints to the others’ witnesses (tlog-witness) and polls theirs; cosigned = checkpoints cosigned by every other node',
      },
      ...(fork ? { fork } : {}),
      ...(partnerDown ? { partnerDown } : {}),
    };
  } finally {
    if (running) await running.stop();
    else await prepared?.stop();
    if (!opts.root) rmSync(root, { recursive: true, force: true });
  }
}

interface DemoShipment {
  def: ShipmentDefinition;
  policyId: number;
  reefer: SimulatedDevice;
  tracker: SimulatedDevice;
}

/** Devices, money and policies, each sent by its organisation's key while no node runs yet. */
async function setUpOnChain(
  c: PreparedConsortium,
  start: number,
  k: number,
  log: (line: string) => void,
  opts: { carrierSettles: boolean },
): Promise<{ cover: Address; token: Address; shipments: DemoShipment[] }> {
  const carrier = c.clientsOf('carrier');
  const shipper = c.clientsOf('shipper');
  const insurer = c.clientsOf('insurer');
  const { contracts } = c.state;
  const carrierNode = c.state.members.find((m) => m.slug === 'carrier')!.address;
  const token = await deploySettlementToken(carrier, {
    name: 'TradeTwin USD',
    symbol: 'tUSD',
    decimals: 6,
    minter: carrier.account.address,
  });
  const cover = await deployParametricCover(carrier, {
    members: contracts.memberRegistry,
    anchor: contracts.logAnchor,
    token: token.address,
    threshold: 2,
  });
  await mint(carrier, token.address, insurer.account.address, BigInt(k) * 1_000_000n * USD);
  await mint(carrier, token.address, shipper.account.address, BigInt(k) * 10_000n * USD);
  await depositCapital(insurer, cover.address, token.address, BigInt(k) * 500_000n * USD);
  const shipments: DemoShipment[] = [];
  for (let i = 0; i < k; i++) {
    const suffix = i === 0 ? '' : `-${i + 1}`;
    const id = `${SHIPMENT_ID}${suffix}`;
    const terms = s1PolicyTerms({ holder: shipper.account.address, shipmentId: id, start, logPublisher: carrierNode });
    const offered = await offerPolicy(insurer, cover.address, terms);
    await bindPolicy(shipper, cover.address, token.address, offered.policyId, terms.premium);
    const reefer = createSimulatedDevice({
      deviceId: `${DEVICES.reefer}${suffix}`,
      keyType: 1,
      kinds: ['temp', 'rh', 'door', 'lux', 'shock'],
      startAt: start,
      intervalMs: 5 * 60_000,
      seed: `consortium-reefer${suffix}`,
      profile: { ambient: 13.9, doorOpensPerDay: 0, shockSpikesPerDay: 0.5, ambientHumidity: 70 },
      doorOpenings: [{ at: start + TIMELINE.doorOpen, durationMs: TIMELINE.doorOpenMs }],
      fastSigning: true,
    });
    const tracker = createSimulatedDevice({
      deviceId: `${DEVICES.tracker}${suffix}`,
      keyType: 2,
      kinds: ['pos', 'batt'],
      startAt: start,
      intervalMs: 30 * 60_000,
      seed: `consortium-tracker${suffix}`,
      route: journeyRoute(),
    });
    for (const d of [reefer, tracker]) await registerDevice(carrier, contracts.deviceRegistry, d.registration);
    const base = demoShipment(start, {
      shipper: shipper.account.address,
      carrier: carrier.account.address,
      insurer: insurer.account.address,
    });
    const def: ShipmentDefinition = {
      ...base,
      id,
      devices: base.devices.map((d) => ({ ...d, deviceId: d.deviceId === DEVICES.reefer ? reefer.deviceId : tracker.deviceId })),
    };
    shipments.push({ def, policyId: offered.policyId, reefer, tracker });
  }
  log(
    `on chain: ParametricCover ${cover.address} (2 organisations), ${k} policy(ies) written by the insurer and bound by the shipper; devices registered by the carrier`,
  );
  // The carrier's node settles the cover's claims with every member's oracle.
  if (opts.carrierSettles)
    c.configure('carrier', { consortium: { oracle: true, claims: { cover: cover.address, threshold: 2 } } });
  return { cover: cover.address, token: token.address, shipments };
}

/** Until the node's whole log is anchored (its partners can pull everything it holds). */
async function waitAnchored(m: RunningMember): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const st = (await nodeApi(m)('GET', '/api/v1/status')) as { log: { size: number }; anchor: { size: number } | null };
    if (st.anchor && st.anchor.size === st.log.size) return;
    if (Date.now() > deadline) throw new ConsortiumError(`${m.name}: log not anchored within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The holder's claim while the carrier's node is down: as the shipper's organisation (its node's RFC 9421
 * key), ask every other member's oracle NodeDirectory lists; those that attest (from their mirrors) and
 * agree are submitted, by the shipper's account. The contract counts organisations other than the holder.
 */
async function claimAsHolder(
  c: PreparedConsortium,
  running: RunningConsortium,
  setup: { cover: Address; shipments: DemoShipment[] },
  excursions: Map<string, BandExcursion>,
  log: (line: string) => void,
): Promise<{ payouts: PayoutJson[]; oracles: { org: string; signed: boolean; error?: string }[] }> {
  const holder = running.member('shipper');
  const clients = c.clientsOf('shipper');
  const nodeDirectory = c.state.contracts.nodeDirectory;
  if (!nodeDirectory) throw new ConsortiumError('the consortium has no NodeDirectory');
  const secretKey = hexToBytes(readFileSync(join(holder.dir, HTTP_SIG_KEY_FILE), 'utf8').trim() as Hex);
  const oracles = await directoryOracles({
    clients,
    nodeDirectory,
    orgId: holder.orgId,
    key: { orgId: holder.orgId, secretKey },
    nameOf: async (id) => running.members.find((m) => m.orgId === id)?.name ?? `org ${id}`,
  });
  const payouts: PayoutJson[] = [];
  let asked: { org: string; signed: boolean; error?: string }[] = [];
  for (const s of setup.shipments) {
    const x = excursions.get(s.def.id);
    if (!x) continue;
    const req = attestRequestFor(x, { cover: setup.cover, policyId: s.policyId, shipmentId: s.def.id });
    const answers = await Promise.all(
      oracles.map((o) =>
        o.attest(req).then(
          (a) => ({ org: o.name, a }),
          (err: unknown) => ({ org: o.name, error: err instanceof Error ? err.message : String(err) }),
        ),
      ),
    );
    asked = answers.map((a) => ('a' in a ? { org: a.org, signed: true } : { org: a.org, signed: false, error: a.error }));
    for (const a of asked) log(`oracle of ${a.org}: ${a.signed ? 'signed' : `refused (${a.error})`}`);
    const groups = new Map<Hex, Attestation[]>();
    for (const a of answers) {
      if (!('a' in a) || a.a.signer.toLowerCase() === holder.address.toLowerCase()) continue;
      const d = hashAttestation(clients.chain.id, setup.cover, a.a.attestation);
      groups.set(d, [...(groups.get(d) ?? []), a.a]);
    }
    const best = [...groups.values()].sort((a, b) => b.length - a.length)[0];
    if (!best || best.length < 2) {
      log(`no claim for ${s.def.id}: ${best?.length ?? 0} of 2 attestations agree`);
      continue;
    }
    const { receipt, amount } = await submitClaim(
      clients,
      setup.cover,
      best[0]!.attestation,
      best.map((a) => a.signature),
    );
    payouts.push({
      policyId: s.policyId,
      excursionId: x.id,
      amount: amount.toString(),
      txHash: receipt.transactionHash,
      paidAt: Date.now(),
      signers: best.map((a) => a.signer),
    });
  }
  return { payouts, oracles: asked };
}

/** Each partner node pulls what it was granted (POST /api/v1/sharing/replicate), then reports its mirror (GET /api/v1/sharing). */
async function replicationReport(owner: RunningMember, partners: RunningMember[]): Promise<ConsortiumDemoResult['replication']> {
  const byNode = await Promise.all(
    partners.map(async (p) => {
      const api = nodeApi(p);
      const pulled = (await api('POST', '/api/v1/sharing/replicate', {})) as {
        pulled: { owner: number; leaves: number; readings: number }[];
        failed: { owner: number; error: string }[];
      };
      const sharing = (await api('GET', '/api/v1/sharing')) as {
        sharedWithMe: { owner: number; status: string }[];
        mirror: { owner: number; headSize: number; leaves: number }[];
      };
      const mirror = sharing.mirror.find((m) => m.owner === owner.orgId);
      return {
        org: p.name,
        owner: owner.name,
        grants: sharing.sharedWithMe.filter((g) => g.owner === owner.orgId && g.status === 'live').length,
        headSize: mirror?.headSize ?? null,
        verified: mirror?.leaves ?? 0,
        readings: pulled.pulled.filter((x) => x.owner === owner.orgId).reduce((a, x) => a + x.readings, 0),
        refused: pulled.failed.length,
      };
    }),
  );
  const sum = (f: (n: (typeof byNode)[number]) => number) => byNode.reduce((a, n) => a + f(n), 0);
  return {
    verified: sum((n) => n.verified),
    readings: sum((n) => n.readings),
    refused: sum((n) => n.refused),
    byNode,
    note: "the partners' oracles attested from these mirrors (refreshed at each claim when the owner's node answers)",
  };
}

function nodeApi(m: RunningMember) {
  return async (method: string, path: string, body?: unknown, expect = 200): Promise<unknown> => {
    const res = await fetch(`${m.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${m.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status !== expect) throw new ConsortiumError(`${m.name}: ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
}

async function auditNode(dir: string): Promise<ConsortiumDemoResult['nodes'][number]['audit']> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TRADETWIN_')));
  const out = await promisify(execFile)(process.execPath, [TRADETWIN_BIN, 'audit', '--data-dir', dir, '--json'], {
    env,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  try {
    const r = JSON.parse(out.stdout) as { ok: boolean; size: number; anchoredHeads?: { checked: number } };
    return { ok: r.ok === true, size: r.size ?? null, anchoredHeads: r.anchoredHeads?.checked ?? null };
  } catch {
    return { ok: false, size: null, anchoredHeads: null };
  }
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
