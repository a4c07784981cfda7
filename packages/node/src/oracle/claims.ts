// The claim aggregator: when a shipment's temperature excursion is over and
// breached, it waits until the evidence is anchored, asks the member oracles
// to attest, and submits the claim once `threshold` distinct organisations
// signed the same statement. The contract re-checks everything it is given.
import type { Address, Hex } from 'viem';
import { type ExcursionAttestation, hashAttestation, randomNonce } from '@tradetwin/contracts/attestation';
import { parametricCoverAbi } from '@tradetwin/contracts/generated/index';
import type { BandExcursion, Excursion } from '@tradetwin/core/rules/index';
import type { ChainClients } from '../chain/clients.js';
import { readPolicy, shipmentIdHash, submitClaim } from '../chain/cover.js';
import { chainCall, ChainError } from '../chain/errors.js';
import { orgOf } from '../chain/members.js';
import type { ShipmentDefinition } from '../shipments/definition.js';
import type { ShipmentStore } from '../storage/shipments.js';
import type { Attestation, AttestRequest } from './oracle.js';

/** Anything that attests: an in-process Oracle, or another member's oracle over HTTP. */
export interface OracleEndpoint {
  readonly name: string;
  attest(req: AttestRequest): Promise<Attestation>;
}

export interface ClaimOutcome {
  policyId: number;
  excursionId: Hex;
  /** refused: the contract reverted the claim (detail: its error name, then the refusal in words). */
  status: 'paid' | 'refused' | 'not_enough_attestations';
  amount?: bigint;
  txHash?: Hex;
  signers: { oracle: string; address?: Address; error?: string }[];
  /** ms from the excursion's closing reading being committed to the payout receipt */
  latencyMs?: number;
  detail?: string;
}

export interface ClaimAggregatorOptions {
  /** The account that submits claims (any account; the node's). */
  clients: ChainClients;
  cover: Address;
  /** MemberRegistry: signers are counted per organisation, and the holder's own cannot attest. */
  memberRegistry: Address;
  /** The oracles to ask, or where to find them at each claim (NodeDirectory: members that started since). */
  oracles: OracleEndpoint[] | (() => Promise<OracleEndpoint[]>);
  threshold: number;
  shipments: ShipmentStore;
  /** Make the anchorer publish a head now (claims should not wait for the next cadence). */
  anchorNow: () => Promise<unknown>;
  /** Evidence window margin around an excursion, ms. */
  marginMs?: number;
  onOutcome?: (o: ClaimOutcome) => void;
  now?: () => number;
}

/** The evidence window around an excursion an oracle is asked to attest, unless configured: ms. */
export const DEFAULT_EVIDENCE_MARGIN_MS = 2 * 3600_000;

/**
 * What every member's oracle is asked about one excursion of a policy: its evidence window (the
 * excursion, `marginMs` either side), a fresh nonce, and ten minutes to answer.
 */
export function attestRequestFor(
  x: BandExcursion,
  claim: { cover: Address; policyId: number; shipmentId: string },
  marginMs = DEFAULT_EVIDENCE_MARGIN_MS,
  now = Date.now(),
): AttestRequest {
  return {
    ...claim,
    ruleId: x.ruleId,
    deviceId: x.deviceId,
    excursionId: x.id,
    window: { from: x.startedAt - marginMs, to: (x.endedAt ?? x.lastObservedAt) + marginMs },
    nonce: randomNonce().toString(),
    deadline: Math.floor(now / 1000) + 600,
  };
}

interface Noted {
  x: BandExcursion;
  shipment: ShipmentDefinition;
  noticedAt: number;
}

export class ClaimAggregator {
  private readonly inFlight = new Set<string>();
  private readonly settled = new Set<string>();
  /** Breached excursions waiting for their claim, per shipment. */
  private readonly pending = new Map<string, Map<string, Noted>>();
  /** One claim at a time per shipment (a policy pays once): the queue being worked, per shipment. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly opts: ClaimAggregatorOptions) {}

  /** Called by the shipment monitor for every new or changed excursion. */
  noteExcursion(x: Excursion, shipment: ShipmentDefinition): void {
    if (x.kind !== 'band' || x.sensor !== 'temp' || x.open || !x.breached) return;
    if (this.settled.has(x.id) || this.inFlight.has(x.id)) return;
    let queue = this.pending.get(shipment.id);
    if (!queue) {
      queue = new Map();
      this.pending.set(shipment.id, queue);
    }
    queue.set(x.id, { x, shipment, noticedAt: queue.get(x.id)?.noticedAt ?? (this.opts.now ?? Date.now)() });
    if (!this.running.has(shipment.id)) {
      this.running.set(
        shipment.id,
        this.work(shipment.id).finally(() => this.running.delete(shipment.id)),
      );
    }
  }

  /** Wait for every claim under way (tests, demo). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  /**
   * Claims a shipment's excursions one after another, the first to end first: what live delivery
   * would have claimed first. Concurrent claims would race for a policy that pays once, and a
   * store-and-forward upload holding two breaches would pay whichever landed first.
   */
  private async work(shipmentId: string): Promise<void> {
    // Let the monitor note every excursion of the same commit before choosing.
    await new Promise((resolve) => setImmediate(resolve));
    const queue = this.pending.get(shipmentId);
    while (queue && queue.size > 0) {
      const next = [...queue.values()].sort(
        (a, b) =>
          a.x.lastObservedAt - b.x.lastObservedAt ||
          a.x.startedAt - b.x.startedAt ||
          (a.x.id < b.x.id ? -1 : a.x.id > b.x.id ? 1 : 0),
      )[0]!;
      queue.delete(next.x.id);
      this.inFlight.add(next.x.id);
      try {
        await this.claimFor(next.x, next.shipment, next.noticedAt);
      } catch (err) {
        console.error('[claims]', err);
      } finally {
        this.inFlight.delete(next.x.id);
      }
    }
    this.pending.delete(shipmentId);
  }

  private async claimFor(x: BandExcursion, shipment: ShipmentDefinition, noticedAt: number): Promise<ClaimOutcome | null> {
    const policies = (await this.opts.shipments.policies(shipment.id)).filter(
      (p) => p.cover.toLowerCase() === this.opts.cover.toLowerCase() && p.state === 'bound',
    );
    let last: ClaimOutcome | null = null;
    for (const p of policies) {
      const onChain = await readPolicy(this.opts.clients, this.opts.cover, p.policyId);
      if (onChain.state !== 'bound' || onChain.terms.shipmentId !== shipmentIdHash(shipment.id)) continue;
      last = await this.claimPolicy(x, shipment, p.policyId, noticedAt);
      this.opts.onOutcome?.(last);
      if (last.status === 'paid') {
        this.settled.add(x.id);
        await this.opts.shipments.putPolicy({ ...p, state: 'paid' });
      }
    }
    return last;
  }

  private async claimPolicy(
    x: BandExcursion,
    shipment: ShipmentDefinition,
    policyId: number,
    noticedAt: number,
  ): Promise<ClaimOutcome> {
    await this.opts.anchorNow();
    const req = attestRequestFor(
      x,
      { cover: this.opts.cover, policyId, shipmentId: shipment.id },
      this.opts.marginMs,
      (this.opts.now ?? Date.now)(),
    );
    const oracles = typeof this.opts.oracles === 'function' ? await this.opts.oracles() : this.opts.oracles;
    const answers = await Promise.all(
      oracles.map(async (o) => {
        try {
          return { oracle: o.name, result: await o.attest(req) };
        } catch (err) {
          return { oracle: o.name, error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    // Oracles that derived the same statement (same EIP-712 digest) count together, one per
    // organisation, never the policy holder's own (the contract would refuse the whole claim).
    const chainId = this.opts.clients.chain.id;
    const holderOrg = await orgOf(
      this.opts.clients,
      this.opts.memberRegistry,
      (await readPolicy(this.opts.clients, this.opts.cover, policyId)).terms.holder,
    );
    const orgsSeen = new Set<number>();
    const byDigest = new Map<Hex, { attestation: ExcursionAttestation; sigs: Attestation[] }>();
    for (const a of answers) {
      if (!('result' in a) || !a.result) continue;
      const org = await orgOf(this.opts.clients, this.opts.memberRegistry, a.result.signer);
      if (org === holderOrg) {
        Object.assign(a, { result: undefined, error: 'signed, not counted: its organisation holds the policy' });
        continue;
      }
      if (orgsSeen.has(org)) continue;
      orgsSeen.add(org);
      const digest = hashAttestation(chainId, this.opts.cover, a.result.attestation);
      const group = byDigest.get(digest) ?? { attestation: a.result.attestation, sigs: [] };
      group.sigs.push(a.result);
      byDigest.set(digest, group);
    }
    const signers = answers.map((a) =>
      'result' in a && a.result ? { oracle: a.oracle, address: a.result.signer } : { oracle: a.oracle, error: a.error },
    );
    const best = [...byDigest.values()].sort((a, b) => b.sigs.length - a.sigs.length)[0];
    // The contract counts against the threshold the policy was offered under, which governance
    // may have raised since: never submit what it would refuse for want of signatures.
    const need = Math.max(this.opts.threshold, await this.policyThreshold(policyId));
    if (!best || best.sigs.length < need) {
      return {
        policyId,
        excursionId: x.id,
        status: 'not_enough_attestations',
        signers,
        detail: `${best?.sigs.length ?? 0} of ${need} needed agreed`,
      };
    }
    let submitted: Awaited<ReturnType<typeof submitClaim>>;
    try {
      submitted = await submitClaim(
        this.opts.clients,
        this.opts.cover,
        best.attestation,
        best.sigs.map((s) => s.signature),
      );
    } catch (err) {
      // The contract's verdict is an outcome (e.g. ExcursionOutsideCover), not a crash of the aggregator.
      if (err instanceof ChainError && err.code === 'reverted') {
        return {
          policyId,
          excursionId: x.id,
          status: 'refused',
          signers,
          detail: `${err.errorName ?? 'reverted'}: ${err.explanation ?? err.message}`, // in words for a claims handler
        };
      }
      throw err;
    }
    const { receipt, amount } = submitted;
    const txHash = receipt.transactionHash;
    await this.opts.shipments.putPayout({
      policyId,
      excursionId: x.id,
      amount: amount.toString(),
      txHash,
      paidAt: (this.opts.now ?? Date.now)(),
      signers: best.sigs.map((s) => s.signer),
    });
    return {
      policyId,
      excursionId: x.id,
      status: 'paid',
      amount,
      txHash,
      signers,
      latencyMs: (this.opts.now ?? Date.now)() - noticedAt,
    };
  }

  private async policyThreshold(policyId: number): Promise<number> {
    const p = await chainCall('policy', () =>
      this.opts.clients.publicClient.readContract({
        address: this.opts.cover,
        abi: parametricCoverAbi,
        functionName: 'policy',
        args: [BigInt(policyId)],
      }),
    );
    return p.threshold;
  }
}
