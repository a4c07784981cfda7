// A member organisation's oracle. Asked to attest an excursion, it reads the
// policy's terms from the chain, fetches the evidence from the node that holds
// the log, re-verifies it against the chain (core/proof/evidence.ts), runs the
// band rule of the policy itself, and signs the EIP-712 statement only for
// the excursion it derived — never for what it was told.
import type { Address, Hex } from 'viem';
import { type ExcursionAttestation, signAttestation } from '@tradetwin/contracts/attestation';
import { logAnchorAbi } from '@tradetwin/contracts/generated/index';
import { type BandExcursion, claimFields, createRuleEvaluator, type EvidencedReading } from '@tradetwin/core/rules/index';
import type { EvidencePackage } from '@tradetwin/core/proof/evidence';
import type { ChainClients } from '../chain/clients.js';
import { readPolicy, shipmentIdHash } from '../chain/cover.js';
import { readDevice } from '../chain/devices.js';
import { EvidenceError, verifyEvidence } from '@tradetwin/core/proof/evidence';

export interface AttestRequest {
  cover: Address;
  policyId: number;
  shipmentId: string;
  ruleId: string;
  deviceId: string;
  excursionId: Hex;
  /** The evidence window, ms: it must hold a reading inside the band before the excursion. */
  window: { from: number; to: number };
  /** uint256 as a decimal string (JSON has no bigint). */
  nonce: string;
  /** seconds */
  deadline: number;
}

export interface Attestation {
  attestation: ExcursionAttestation;
  signature: Hex;
  signer: Address;
}

export class AttestationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttestationRefused';
  }
}

export interface OracleOptions {
  name: string;
  /** The oracle's own key: an account of an ORACLE member. */
  clients: ChainClients;
  contracts: { deviceRegistry: Address; logAnchor: Address };
  fetchEvidence: (q: { deviceId: string; from: number; to: number }) => Promise<EvidencePackage>;
  /** Longest deadline it signs for, seconds from now. */
  maxDeadlineSeconds?: number;
  now?: () => number;
}

export class Oracle {
  constructor(private readonly opts: OracleOptions) {}

  get address(): Address {
    return this.opts.clients.account.address;
  }

  get name(): string {
    return this.opts.name;
  }

  async attest(req: AttestRequest): Promise<Attestation> {
    const { clients } = this.opts;
    const nowSec = Math.floor((this.opts.now ?? Date.now)() / 1000);
    const maxDeadline = this.opts.maxDeadlineSeconds ?? 3600;
    if (!(req.deadline > nowSec && req.deadline <= nowSec + maxDeadline)) {
      const limit = maxDeadline === 3600 ? 'hour' : `${maxDeadline} s`;
      throw new AttestationRefused(`deadline ${req.deadline} is not within the next ${limit}`);
    }
    const policy = await readPolicy(clients, req.cover, req.policyId);
    if (policy.state !== 'bound') throw new AttestationRefused(`policy ${req.policyId} is ${policy.state}, not bound`);
    if (policy.terms.shipmentId !== shipmentIdHash(req.shipmentId)) {
      throw new AttestationRefused(`policy ${req.policyId} does not insure shipment ${req.shipmentId}`);
    }
    const pkg = await this.opts.fetchEvidence({ deviceId: req.deviceId, ...req.window });
    if (pkg.publisher.toLowerCase() !== policy.terms.logPublisher.toLowerCase()) {
      throw new AttestationRefused(`evidence comes from log ${pkg.publisher}, the policy names ${policy.terms.logPublisher}`);
    }
    let readings: EvidencedReading[];
    try {
      readings = await verifyEvidence(pkg, {
        rootAt: async (publisher, size) => {
          const root = await clients.publicClient.readContract({
            address: this.opts.contracts.logAnchor,
            abi: logAnchorAbi,
            functionName: 'rootAt',
            args: [publisher, BigInt(size)],
          });
          return /^0x0+$/.test(root) ? null : root;
        },
        device: (id) => readDevice(clients, this.opts.contracts.deviceRegistry, id),
      });
    } catch (err) {
      if (err instanceof EvidenceError) throw new AttestationRefused(`evidence does not verify: ${err.message}`);
      throw err;
    }
    // The band rule comes from the policy on chain, not from the node's shipment.
    const t = policy.terms;
    const evaluator = createRuleEvaluator({
      shipmentId: req.shipmentId,
      devices: [req.deviceId],
      rules: [
        {
          kind: 'band',
          id: req.ruleId,
          sensor: 'temp',
          min: t.minCentiC / 100,
          max: t.maxCentiC / 100,
          toleranceMinutes: t.toleranceMinutes,
          mode: 'continuous',
        },
      ],
    });
    evaluator.push(readings);
    const x = evaluator.excursions().find((e) => e.id === req.excursionId) as BandExcursion | undefined;
    if (!x) throw new AttestationRefused(`the verified readings show no excursion ${req.excursionId}`);
    if (x.open) throw new AttestationRefused(`excursion ${x.id} has not ended in the evidence`);
    if (!x.breached) throw new AttestationRefused(`excursion ${x.id} lasted ${x.minutesOutside} min, within the tolerance`);
    if (!readings.some((r) => r.k === 'temp' && r.t < x.startedAt)) {
      throw new AttestationRefused('the evidence window starts inside the excursion: its start cannot be established');
    }
    const f = claimFields(x);
    const attestation: ExcursionAttestation = {
      policyId: BigInt(req.policyId),
      excursionId: x.id,
      startedAt: BigInt(f.startedAt),
      endedAt: BigInt(f.endedAt),
      minutesOutside: f.minutesOutside,
      peakCentiC: f.peakCentiC,
      logPublisher: pkg.publisher,
      logSize: BigInt(pkg.head.size),
      logRoot: pkg.head.root,
      nonce: BigInt(req.nonce),
      deadline: BigInt(req.deadline),
    };
    const chainId = clients.chain.id;
    const signature = await signAttestation(clients.account, chainId, req.cover, attestation);
    return { attestation, signature, signer: this.address };
  }
}
