// The claim aggregator and the cover contract on a real node and chain: a
// breach is paid exactly what the policy's formula gives, to the holder, on
// k-of-n distinct organisations that are not the holder's; anything less is
// not submitted, and a forged claim is refused by the contract itself.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Hex, keccak256, parseEventLogs, toBytes } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { type ExcursionAttestation, randomNonce, signAttestation } from '@tradetwin/contracts/attestation';
import { computePayout } from '@tradetwin/contracts/cover';
import { fundAccount } from '@tradetwin/contracts/devchain';
import { parametricCoverAbi } from '@tradetwin/contracts/generated/index';
import { type BandExcursion, claimFields, excursionId } from '@tradetwin/core/rules/index';
import type { Reading } from '@tradetwin/core/telemetry/payload';
import { createChainClients } from '../chain/clients.js';
import { bindPolicy, offerPolicy, readCapital, readPolicy, submitClaim } from '../chain/cover.js';
import { ChainError } from '../chain/errors.js';
import { addAccount, ROLES } from '../chain/members.js';
import { passByVote } from '../chain/governance.js';
import { admitMembers, governanceOf } from '../test-support/governance.js';
import {
  BAND_RULE_ID,
  type CoverFixture,
  DAY,
  type Journey,
  jsonSafe,
  MINUTE,
  shuffled,
  startCoverFixture,
} from '../test-support/cover-fixture.js';
import type { ClaimOutcome } from './claims.js';
import type { Oracle } from './oracle.js';

/** A chain time (seconds) as refusals show it. */
const iso = (s: number | bigint) => new Date(Number(s) * 1000).toISOString().replace('.000Z', 'Z');

let fx: CoverFixture;
/** Journeys settled by hand, delivered before any aggregator runs. */
let forgedA: Journey;
let forgedB: Journey;
let forgedC: Journey;
let forgedD: Journey;

before(async () => {
  fx = await startCoverFixture();
  forgedA = await fx.journey({ name: 'forged-a', excursionMinutes: 95 });
  forgedB = await fx.journey({ name: 'forged-b', excursionMinutes: 95 });
  forgedC = await fx.journey({ name: 'forged-c', excursionMinutes: 95 });
  forgedD = await fx.journey({ name: 'forged-d', excursionMinutes: 95 });
  for (const j of [forgedA, forgedB, forgedC, forgedD]) await j.deliver();
});
after(() => fx?.dispose());

const terms = () => fx.defaultTerms('any');
/** The payout the contract owes for an excursion, by the formula the node and the dashboard share. */
const owed = (x: BandExcursion) => computePayout(terms(), claimFields(x).minutesOutside);

async function balances() {
  return {
    shipper: await fx.balance(fx.orgs.shipper.address),
    cover: await fx.balance(fx.cover),
    capital: await readCapital(fx.node.clients, fx.cover, fx.orgs.insurer.orgId),
  };
}

async function claimPaidEvent(txHash: Hex) {
  const receipt = await fx.node.clients.publicClient.getTransactionReceipt({ hash: txHash });
  const [ev] = parseEventLogs({ abi: parametricCoverAbi, eventName: 'ClaimPaid', logs: receipt.logs });
  assert.ok(ev, `no ClaimPaid in ${txHash}`);
  return ev.args;
}

/** One statement signed by several oracles (same nonce and deadline). */
async function attestBy(j: Journey, oracles: Oracle[], overrides: { nonce?: bigint } = {}) {
  const req = j.request(j.excursion1(), overrides.nonce !== undefined ? { nonce: overrides.nonce.toString() } : {});
  const answers = [];
  for (const o of oracles) answers.push(await o.attest(req));
  return { attestation: answers[0]!.attestation, signatures: answers.map((a) => a.signature) };
}

async function rejectsWith(p: Promise<unknown>, errorName: string, args?: readonly unknown[]) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ChainError, `expected ChainError, got ${String(err)}`);
    assert.equal(err.code, 'reverted');
    assert.equal(err.errorName, errorName, err.message);
    if (args) assert.deepEqual(err.args, args);
    return true;
  });
}

const statuses = (os: ClaimOutcome[]) => os.map((o) => o.status);

describe('ParametricCover refuses forged claims (chain/cover.ts submitClaim)', () => {
  it('a signature of an account that is no oracle: NotAnOracle', async () => {
    const { attestation, signatures } = await attestBy(forgedA, [fx.oracles.carrier]);
    const outsider = privateKeyToAccount(generatePrivateKey());
    const forged = await signAttestation(outsider, fx.node.clients.chain.id, fx.cover, attestation);
    await rejectsWith(submitClaim(fx.node.clients, fx.cover, attestation, [signatures[0]!, forged]), 'NotAnOracle', [
      outsider.address,
    ]);
    // A member organisation without the ORACLE role is no oracle either.
    const customs = privateKeyToAccount(generatePrivateKey());
    // Admitted by vote: the carrier and the shipper make the majority of three.
    await admitMembers(
      fx.node,
      [{ account: customs.address, name: 'Customs Authority', roles: ROLES.CUSTOMS }],
      [fx.orgs.shipper.clients],
    );
    const byCustoms = await signAttestation(customs, fx.node.clients.chain.id, fx.cover, attestation);
    await rejectsWith(submitClaim(fx.node.clients, fx.cover, attestation, [signatures[0]!, byCustoms]), 'NotAnOracle', [
      customs.address,
    ]);
    assert.equal((await readPolicy(fx.node.clients, fx.cover, forgedA.policyId!)).state, 'bound');
  });

  it("one organisation twice, the holder's own, or too few: DuplicateOrg, HolderOrgCannotAttest, NotEnoughAttestations", async () => {
    const { attestation, signatures } = await attestBy(forgedA, [fx.oracles.carrier, fx.oracles.shipper]);
    const [carrier, shipper] = signatures as [Hex, Hex];
    await rejectsWith(submitClaim(fx.node.clients, fx.cover, attestation, [carrier, carrier]), 'DuplicateOrg', [1n]);
    await rejectsWith(submitClaim(fx.node.clients, fx.cover, attestation, [carrier, shipper]), 'HolderOrgCannotAttest', [
      BigInt(fx.orgs.shipper.orgId),
    ]);
    await rejectsWith(submitClaim(fx.node.clients, fx.cover, attestation, [carrier]), 'NotEnoughAttestations', [1n, 2n]);
  });

  it('the same nonce twice: NonceUsed', async () => {
    const nonce = randomNonce();
    const paid = await attestBy(forgedB, [fx.oracles.carrier, fx.oracles.insurer], { nonce });
    await submitClaim(fx.node.clients, fx.cover, paid.attestation, paid.signatures);
    // Genuine attestations of another policy's genuine breach, but reusing that nonce.
    const again = await attestBy(forgedC, [fx.oracles.carrier, fx.oracles.insurer], { nonce });
    await rejectsWith(submitClaim(fx.node.clients, fx.cover, again.attestation, again.signatures), 'NonceUsed', [nonce]);
    assert.equal((await readPolicy(fx.node.clients, fx.cover, forgedC.policyId!)).state, 'bound');
  });

  it('evidence the chain never anchored: EvidenceNotAnchored, even signed by every oracle key', async () => {
    const { attestation } = await attestBy(forgedD, [fx.oracles.carrier]);
    const forged: ExcursionAttestation = { ...attestation, logRoot: keccak256(toBytes('a tree nobody anchored')) };
    const chainId = fx.node.clients.chain.id;
    const signatures = [
      await signAttestation(fx.orgs.carrier.clients.account, chainId, fx.cover, forged),
      await signAttestation(fx.orgs.insurer.clients.account, chainId, fx.cover, forged),
    ];
    await rejectsWith(submitClaim(fx.node.clients, fx.cover, forged, signatures), 'EvidenceNotAnchored', [
      fx.node.address,
      forged.logSize,
      forged.logRoot,
    ]);
    const bigger: ExcursionAttestation = { ...attestation, logSize: attestation.logSize + 1000n };
    await rejectsWith(submitClaim(fx.node.clients, fx.cover, bigger, signatures), 'EvidenceNotAnchored', [
      fx.node.address,
      bigger.logSize,
      bigger.logRoot,
    ]);
    assert.equal((await readPolicy(fx.node.clients, fx.cover, forgedD.policyId!)).state, 'bound');
  });
});

describe('ClaimAggregator', () => {
  /** The in-order reference breach: 95 min above 8 °C. */
  let reference: { x: BandExcursion; amount: bigint };

  it('pays the holder exactly computePayout(terms, minutesOutside) on two organisations, never counting the holder’s oracle', async () => {
    fx.enableClaims([fx.oracles.carrier, fx.oracles.insurer, fx.oracles.shipper]);
    const j = await fx.journey({ name: 'claims-pays', excursionMinutes: 95 });
    const before = await balances();
    const { outcomes } = await j.deliver();
    const x = j.excursion1();
    const amount = owed(x);
    assert.equal(claimFields(x).minutesOutside, 95);
    assert.equal(amount, 100_000n * 1_000_000n); // 250,000 × 20 % × ceil((95 − 30) / 60) started hours

    assert.deepEqual(statuses(outcomes), ['paid']);
    const o = outcomes[0]!;
    assert.equal(o.policyId, j.policyId);
    assert.equal(o.excursionId, x.id);
    assert.equal(o.amount, amount);
    assert.deepEqual(o.signers, [
      { oracle: fx.orgs.carrier.name, address: fx.orgs.carrier.address },
      { oracle: fx.orgs.insurer.name, address: fx.orgs.insurer.address },
      { oracle: fx.orgs.shipper.name, error: 'signed, not counted: its organisation holds the policy' },
    ]);

    const after = await balances();
    assert.equal(after.shipper - before.shipper, amount);
    assert.equal(before.cover - after.cover, amount);
    assert.deepEqual(after.capital, {
      free: before.capital.free + (j.terms.sumInsured - amount),
      locked: before.capital.locked - j.terms.sumInsured,
    });

    const ev = await claimPaidEvent(o.txHash!);
    assert.equal(ev.policyId, BigInt(j.policyId!));
    assert.equal(ev.excursionId, x.id);
    assert.equal(ev.amount, amount);
    assert.equal(ev.orgBitmap, (1n << BigInt(fx.orgs.carrier.orgId)) | (1n << BigInt(fx.orgs.insurer.orgId)));
    assert.equal((await readPolicy(fx.node.clients, fx.cover, j.policyId!)).state, 'paid');

    // Recorded for the shipment: the payout and the policy's new state.
    const payouts = await fx.node.shipments.payouts(j.policyId!);
    assert.equal(payouts.length, 1);
    assert.deepEqual(
      { ...payouts[0]!, paidAt: 0 },
      {
        policyId: j.policyId,
        excursionId: x.id,
        amount: amount.toString(),
        txHash: o.txHash,
        paidAt: 0,
        signers: [fx.orgs.carrier.address, fx.orgs.insurer.address],
      },
    );
    assert.deepEqual(
      (await fx.node.shipments.policies(j.shipmentId)).map((p) => [p.policyId, p.state]),
      [[j.policyId, 'paid']],
    );
    reference = { x, amount };
  });

  it('does not pay a second excursion of a paid policy', async () => {
    const j = await fx.journey({ name: 'claims-twice', excursionMinutes: [95, 50] });
    const [first, second] = j.excursionTimes as [{ startsAt: number; endsAt: number }, { startsAt: number; endsAt: number }];
    const cut = first.endsAt + 15 * MINUTE;
    const one = await j.deliver(j.sign(j.readings.filter((r) => r.t < cut)));
    assert.deepEqual(statuses(one.outcomes), ['paid']);
    const before = await balances();

    const two = await j.deliver(j.sign(j.readings.filter((r) => r.t >= cut)));
    const xs = j.excursions();
    assert.deepEqual(
      xs.map((x) => [x.startedAt, x.endedAt, claimFields(x).minutesOutside, x.breached]),
      [
        [first.startsAt, first.endsAt, 95, true],
        [second.startsAt, second.endsAt, 50, true],
      ],
    );
    assert.deepEqual(two.outcomes, []);
    assert.deepEqual(await balances(), before);
    assert.equal((await fx.node.shipments.payouts(j.policyId!)).length, 1);

    // A node whose record still says "bound" asks the chain before claiming.
    const [record] = await fx.node.shipments.policies(j.shipmentId);
    await fx.node.shipments.putPolicy({ ...record!, state: 'bound' });
    const claims = fx.enableClaims([fx.oracles.carrier, fx.oracles.insurer]);
    const seen = fx.outcomes.length;
    claims.noteExcursion(xs[1]!, j.def);
    await claims.idle();
    assert.deepEqual(fx.outcomes.slice(seen), []);
    assert.deepEqual(await balances(), before);
    await fx.node.shipments.putPolicy({ ...record!, state: 'paid' });
  });

  it('pays once for two breaches in one store-and-forward upload: the one that ended first, as live delivery would', async () => {
    fx.enableClaims([fx.oracles.carrier, fx.oracles.insurer]);
    // [95, 50]: the longer one first (live delivery pays it); [50, 95]: the shorter one first.
    for (const mins of [
      [95, 50],
      [50, 95],
    ]) {
      const j = await fx.journey({ name: `claims-both-${mins.join('-')}`, excursionMinutes: mins });
      const before = await balances();
      const { outcomes } = await j.deliver();
      const xs = j.excursions();
      assert.deepEqual(
        xs.map((x) => [claimFields(x).minutesOutside, x.breached]),
        mins.map((m) => [m, true]),
      );
      assert.deepEqual(
        outcomes.map((o) => [o.status, o.excursionId, o.amount]),
        [['paid', xs[0]!.id, owed(xs[0]!)]],
      );
      assert.equal((await balances()).shipper - before.shipper, owed(xs[0]!));
      assert.deepEqual(
        (await fx.node.shipments.payouts(j.policyId!)).map((p) => p.excursionId),
        [xs[0]!.id],
      );
    }
  });

  it('does not submit when fewer than threshold organisations agree (one refuses)', async () => {
    // The insurer's oracle is handed a tampered package (a bent inclusion proof): it refuses.
    let bent = -1;
    const tampered = fx.oracle('insurer', {
      fetchEvidence: async (q) => {
        const p = await fx.fetchEvidence(q);
        bent = p.leaves[0]!.index;
        p.leaves[0]!.path[0] = keccak256(toBytes('bent'));
        return p;
      },
    });
    fx.enableClaims([fx.oracles.carrier, tampered]);
    const j = await fx.journey({ name: 'claims-one-refuses', excursionMinutes: 95 });
    const before = await balances();
    const { outcomes } = await j.deliver();
    const x = j.excursion1();
    assert.deepEqual(outcomes, [
      {
        policyId: j.policyId,
        excursionId: x.id,
        status: 'not_enough_attestations',
        signers: [
          { oracle: fx.orgs.carrier.name, address: fx.orgs.carrier.address },
          {
            oracle: fx.orgs.insurer.name,
            error: `evidence does not verify: leaf ${bent}: inclusion proof does not lead to the tree head root`,
          },
        ],
        detail: '1 of 2 needed agreed',
      },
    ]);
    assert.deepEqual(await balances(), before);
    assert.equal((await readPolicy(fx.node.clients, fx.cover, j.policyId!)).state, 'bound');
    assert.deepEqual(await fx.node.shipments.payouts(j.policyId!), []);
  });

  it("does not count the holder's oracle, nor a second key of one organisation", async () => {
    // Only the holder's oracle and one other: one organisation that counts.
    fx.enableClaims([fx.oracles.shipper, fx.oracles.insurer]);
    const j = await fx.journey({ name: 'claims-holder', excursionMinutes: 95 });
    const before = await balances();
    const { outcomes } = await j.deliver();
    assert.deepEqual(await balances(), before);
    assert.deepEqual(
      outcomes.map((o) => [o.status, o.detail, o.signers]),
      [
        [
          'not_enough_attestations',
          '1 of 2 needed agreed',
          [
            { oracle: fx.orgs.shipper.name, error: 'signed, not counted: its organisation holds the policy' },
            { oracle: fx.orgs.insurer.name, address: fx.orgs.insurer.address },
          ],
        ],
      ],
    );

    // Two keys of the insurer: still one organisation.
    const key2 = generatePrivateKey();
    const insurer2 = createChainClients({
      rpcUrl: fx.node.rpcUrl,
      chainId: fx.node.clients.chain.id,
      signerKey: key2,
      gasPrice: 'auto',
      pollingIntervalMs: 50,
    });
    await fundAccount(fx.node.rpcUrl, insurer2.account.address, 10n ** 20n);
    await addAccount(fx.orgs.insurer.clients, fx.node.contracts.memberRegistry, fx.orgs.insurer.orgId, insurer2.account.address);
    fx.enableClaims([
      fx.oracles.insurer,
      fx.oracle('insurer', { clients: insurer2, name: 'Cold Chain Insurance plc (2nd key)' }),
    ]);
    const k = await fx.journey({ name: 'claims-same-org', excursionMinutes: 95 });
    const before2 = await balances();
    const two = await k.deliver();
    assert.deepEqual(
      two.outcomes.map((o) => [o.status, o.detail, o.signers.map((s) => s.address)]),
      [['not_enough_attestations', '1 of 2 needed agreed', [fx.orgs.insurer.address, insurer2.account.address]]],
    );
    assert.deepEqual(await balances(), before2);
  });

  it('pays the same excursion, id and amount, when its readings arrive shuffled, in two batches days apart', async () => {
    fx.enableClaims([fx.oracles.carrier, fx.oracles.insurer]);
    const j = await fx.journey({ name: 'claims-late', excursionMinutes: 95 });
    const x0 = j.excursion!;
    // Envelopes of 3 consecutive readings, delivered out of time order. The first batch holds
    // only the excursion's last hour and what follows (itself looking breached), signed a day
    // after the journey; the rest comes two days later still.
    const chunks: Reading[][] = [];
    for (let i = 0; i < j.readings.length; i += 3) chunks.push(j.readings.slice(i, i + 3));
    const split = x0.startsAt + 35 * MINUTE;
    const late = shuffled(
      chunks.filter((c) => c[0]!.t >= split),
      7,
    );
    const early = shuffled(
      chunks.filter((c) => c[0]!.t < split),
      11,
    );
    assert.ok(
      late.some((c, i) => i > 0 && c[0]!.t < late[i - 1]![0]!.t),
      'precondition: the first batch is out of order',
    );
    const before = await balances();

    const a = await j.deliver(late.map((c) => j.sign(c, { signedAt: j.to + DAY })[0]!));
    const partial = j.excursion1();
    assert.equal(partial.breached, true);
    assert.ok(partial.startedAt > x0.startsAt);
    // The oracles cannot see the start of it: no claim.
    assert.deepEqual(
      a.outcomes.map((o) => [o.status, o.excursionId, o.signers.map((s) => s.error)]),
      [
        [
          'not_enough_attestations',
          partial.id,
          Array(2).fill('the evidence window starts inside the excursion: its start cannot be established'),
        ],
      ],
    );
    assert.deepEqual(await balances(), before);

    const b = await j.deliver(early.map((c) => j.sign(c, { signedAt: j.to + 3 * DAY })[0]!));
    const x = j.excursion1();
    // The id is the one of its first reading, wherever that landed in the log.
    const firstChunk = early.findIndex((c) => c.some((r) => r.t === x0.startsAt));
    const pos = early[firstChunk]!.findIndex((r) => r.t === x0.startsAt);
    assert.equal(x.id, excursionId(j.shipmentId, BAND_RULE_ID, j.device.deviceId, `${b.indices[firstChunk]}:${pos}`));
    assert.deepEqual(
      {
        ...claimFields(x),
        startedAt: claimFields(x).startedAt - x0.startsAt / 1000,
        endedAt: claimFields(x).endedAt - x0.startsAt / 1000,
      },
      { ...claimFields(reference.x), startedAt: 0, endedAt: 95 * 60 },
    );
    const paid = b.outcomes.filter((o) => o.status === 'paid');
    assert.deepEqual(
      paid.map((o) => [o.excursionId, o.amount]),
      [[x.id, reference.amount]],
    );
    assert.equal((await claimPaidEvent(paid[0]!.txHash!)).excursionId, x.id);
    assert.equal((await balances()).shipper - before.shipper, reference.amount);
    assert.deepEqual(
      (await fx.node.shipments.payouts(j.policyId!)).map((p) => [p.excursionId, p.amount]),
      [[x.id, reference.amount.toString()]],
    );
  });

  it('reports a claim the contract refuses (an excursion before the policy was bound) and pays nothing', async () => {
    const claims = fx.enableClaims([fx.oracles.carrier, fx.oracles.insurer]);
    const j = await fx.journey({ name: 'claims-before-cover', excursionMinutes: 95, policy: 'none' });
    await j.deliver();
    const x = j.excursion1();
    // Insured only after the goods warmed up.
    const t = { ...fx.defaultTerms(j.shipmentId) };
    const { policyId } = await offerPolicy(fx.orgs.insurer.clients, fx.cover, t);
    await bindPolicy(fx.orgs.shipper.clients, fx.cover, fx.token, policyId, t.premium);
    await fx.node.shipments.putPolicy({
      policyId,
      cover: fx.cover,
      shipmentId: j.shipmentId,
      terms: jsonSafe(t),
      state: 'bound',
    });
    const before = await balances();
    const seen = fx.outcomes.length;
    claims.noteExcursion(x, j.def);
    await claims.idle();
    const outcomes = fx.outcomes.slice(seen);
    assert.deepEqual(
      outcomes.map((o) => [o.policyId, o.excursionId, o.status, o.signers.length]),
      [[policyId, x.id, 'refused', 2]],
    );
    const f = claimFields(x);
    const boundAt = (await readPolicy(fx.node.clients, fx.cover, policyId)).boundAt;
    assert.equal(
      outcomes[0]!.detail,
      `ExcursionOutsideCover: the excursion (${iso(f.startedAt)} → ${iso(f.endedAt)}) is not within the cover (${iso(boundAt)} → ${iso(t.expiresAt)})`,
    );
    assert.deepEqual(await balances(), before);
    assert.equal((await readPolicy(fx.node.clients, fx.cover, policyId)).state, 'bound');
  });

  it("holds back a claim with fewer organisations than the policy's own threshold", async () => {
    // Governance raised the cover's threshold to 3 before this policy was offered: a proposal the
    // members voted through (carrier, shipper and insurer make the majority), executed on the cover.
    const setThreshold = (k: number) =>
      passByVote(
        fx.node.clients,
        governanceOf(fx.node),
        [{ kind: 'threshold', threshold: k, target: fx.cover }],
        [fx.orgs.shipper.clients, fx.orgs.insurer.clients],
      );
    await setThreshold(3);
    const j = await fx.journey({ name: 'claims-three', excursionMinutes: 95 }).finally(() => setThreshold(2));
    fx.enableClaims([fx.oracles.carrier, fx.oracles.insurer]);
    const before = await balances();
    const { outcomes } = await j.deliver();
    assert.deepEqual(
      outcomes.map((o) => [o.status, o.detail]),
      [['not_enough_attestations', '2 of 3 needed agreed']],
    );
    assert.deepEqual(await balances(), before);
  });
});
