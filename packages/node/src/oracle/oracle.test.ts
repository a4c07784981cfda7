// A member oracle against a real node, chain and cover: it signs exactly the
// excursion it re-derives from evidence it verified against the chain, and
// refuses — with the reason — whatever it cannot establish itself.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bytesToHex, type Hex, keccak256, toBytes } from 'viem';
import { hashAttestation, recoverAttestationSigner } from '@tradetwin/contracts/attestation';
import { logAnchorAbi, parametricCoverAbi } from '@tradetwin/contracts/generated/index';
import { decodeSign1, encodeSign1 } from '@tradetwin/core/cose/sign1';
import { decodeLeaf, encodeLeaf } from '@tradetwin/core/proof/leaf';
import { type BandExcursion, claimFields } from '@tradetwin/core/rules/index';
import { decodePayload, encodePayload, type TelemetryPayload } from '@tradetwin/core/telemetry/payload';
import type { EvidencePackage } from '@tradetwin/core/proof/evidence';
import { readPolicy, submitClaim } from '../chain/cover.js';
import { revokeDevice } from '../chain/devices.js';
import { type CoverFixture, DAY, type Journey, MINUTE, startCoverFixture } from '../test-support/cover-fixture.js';
import { type AttestRequest, AttestationRefused, type Oracle } from './oracle.js';

let fx: CoverFixture;
/** 95 min above 8 °C against 30 min tolerance: breached. */
let breach: Journey;
let x: BandExcursion;
/** 20 min outside: within the tolerance. */
let short: Journey;
/** The same kind of breach, but the policy was only offered. */
let offered: Journey;
/** A breach whose policy gets paid in a test (then it cannot be attested again). */
let paid: Journey;
/** A breach recorded by a logger whose key is revoked (back-dated) after the upload. */
let revoked: Journey;

before(async () => {
  fx = await startCoverFixture();
  breach = await fx.journey({ name: 'oracle-breach', excursionMinutes: 95, peak: 14.25 });
  short = await fx.journey({ name: 'oracle-short', excursionMinutes: 20 });
  offered = await fx.journey({ name: 'oracle-offered', excursionMinutes: 95, policy: 'offered' });
  paid = await fx.journey({ name: 'oracle-paid', excursionMinutes: 95 });
  revoked = await fx.journey({ name: 'oracle-revoked', excursionMinutes: 95 });
  for (const j of [breach, short, offered, paid, revoked]) await j.deliver();
  x = breach.excursion1();
});
after(() => fx?.dispose());

/** Expect AttestationRefused with exactly this message. */
async function refused(oracle: Oracle, req: AttestRequest, message: string | RegExp): Promise<void> {
  await assert.rejects(oracle.attest(req), (err: unknown) => {
    assert.ok(err instanceof AttestationRefused, `expected AttestationRefused, got ${String(err)}`);
    assert.equal(err.name, 'AttestationRefused');
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

/** An oracle whose evidence passes through `change` on its way from the node. */
function tampering(change: (p: EvidencePackage) => EvidencePackage | Promise<EvidencePackage>): Oracle {
  return fx.oracle('insurer', { fetchEvidence: async (q) => change(structuredClone(await fx.fetchEvidence(q))) });
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** A leaf with one of its readings rewritten (the device's signature kept as it was). */
function rewriteReading(data: string, change: (p: TelemetryPayload) => void): string {
  const leaf = decodeLeaf(unb64(data));
  const env = decodeSign1(leaf.body);
  const payload = decodePayload(env.payload);
  change(payload);
  const body = encodeSign1({ alg: env.alg, kid: env.kid, payload: encodePayload(payload), signature: env.signature });
  return b64(encodeLeaf({ ...leaf, body }));
}

/** The leaf index holding a reading id `<leaf>:<n>`. */
const leafOf = (readingId: string) => Number(readingId.split(':')[0]);

describe('Oracle.attest', () => {
  it('signs the excursion it derived: fields from claimFields, the anchored head, its own key', async () => {
    for (const who of ['carrier', 'insurer', 'shipper'] as const) {
      const oracle = fx.oracles[who];
      const req = breach.request(x);
      const { attestation: a, signature, signer } = await oracle.attest(req);
      const f = claimFields(x);
      assert.equal(signer, fx.orgs[who].address);
      assert.equal(await recoverAttestationSigner(fx.node.clients.chain.id, fx.cover, a, signature), fx.orgs[who].address);
      assert.deepEqual(a, {
        policyId: BigInt(breach.policyId!),
        excursionId: x.id,
        startedAt: BigInt(f.startedAt),
        endedAt: BigInt(f.endedAt),
        minutesOutside: 95,
        peakCentiC: 1425,
        logPublisher: fx.node.address,
        logSize: a.logSize,
        logRoot: a.logRoot,
        nonce: BigInt(req.nonce),
        deadline: BigInt(req.deadline),
      });
      assert.deepEqual(f, {
        startedAt: breach.excursion!.startsAt / 1000,
        endedAt: breach.excursion!.endsAt / 1000,
        minutesOutside: 95,
        peakCentiC: 1425,
      });
      // The head it signed for is the one LogAnchor holds, and the digest is the contract's own.
      const anchored = await fx.node.clients.publicClient.readContract({
        address: fx.node.contracts.logAnchor,
        abi: logAnchorAbi,
        functionName: 'rootAt',
        args: [fx.node.address, a.logSize],
      });
      assert.equal(anchored, a.logRoot);
      const digest = await fx.node.clients.publicClient.readContract({
        address: fx.cover,
        abi: parametricCoverAbi,
        functionName: 'hashAttestation',
        args: [a],
      });
      assert.equal(digest, hashAttestation(fx.node.clients.chain.id, fx.cover, a));
    }
  });

  it('refuses a head that is not anchored, even one the log really had', async () => {
    // More readings arrive and are not anchored yet: a genuine head of the log, with genuine proofs.
    const filler = await fx.journey({ name: 'oracle-filler' });
    await filler.deliver(undefined, { anchor: false });
    const size = fx.node.log.size;
    const root = bytesToHex(await fx.node.log.root(size));
    const onChain = await fx.node.clients.publicClient.readContract({
      address: fx.node.contracts.logAnchor,
      abi: logAnchorAbi,
      functionName: 'rootAt',
      args: [fx.node.address, BigInt(size)],
    });
    assert.match(onChain, /^0x0{64}$/, 'precondition: that head is not anchored');
    const oracle = tampering(async (p) => ({
      ...p,
      head: { size, root, timestamp: Date.now(), txHash: null },
      leaves: await Promise.all(
        p.leaves.map(async (l) => ({ ...l, path: (await fx.node.log.inclusionProof(l.index, size)).map((h) => bytesToHex(h)) })),
      ),
    }));
    await refused(
      oracle,
      breach.request(x),
      `evidence does not verify: head ${size} of ${fx.node.address} is not anchored with root ${root}`,
    );
  });

  it('refuses an anchored size with another root', async () => {
    const forged: Hex = keccak256(toBytes('another tree'));
    let size = 0;
    const oracle = tampering((p) => {
      size = p.head.size;
      return { ...p, head: { ...p.head, root: forged } };
    });
    await refused(oracle, breach.request(x), /is not anchored with root/);
    assert.ok(size > 0);
    await refused(
      oracle,
      breach.request(x),
      `evidence does not verify: head ${size} of ${fx.node.address} is not anchored with root ${forged}`,
    );
  });

  it('refuses evidence from a log other than the policy names', async () => {
    const other = fx.orgs.insurer.address;
    const oracle = tampering((p) => ({ ...p, publisher: other }));
    await refused(oracle, breach.request(x), `evidence comes from log ${other}, the policy names ${fx.node.address}`);
  });

  it('refuses a package whose reading bytes were changed', async () => {
    const peakLeaf = leafOf(x.evidence.readingIds.peak);
    const oracle = tampering((p) => {
      const leaf = p.leaves.find((l) => l.index === peakLeaf)!;
      leaf.data = rewriteReading(leaf.data, (payload) => {
        for (const r of payload.r) if (r.k === 'temp') r.v = 25; // a hotter load pays more
      });
      return p;
    });
    await refused(
      oracle,
      breach.request(x),
      `evidence does not verify: leaf ${peakLeaf}: inclusion proof does not lead to the tree head root`,
    );
  });

  it('refuses a bent or truncated inclusion proof', async () => {
    const first = leafOf(x.evidence.readingIds.first);
    const bent = tampering((p) => {
      const leaf = p.leaves.find((l) => l.index === first)!;
      leaf.path[0] = keccak256(toBytes('bent'));
      return p;
    });
    await refused(
      bent,
      breach.request(x),
      `evidence does not verify: leaf ${first}: inclusion proof does not lead to the tree head root`,
    );
    const short_ = tampering((p) => {
      p.leaves.find((l) => l.index === first)!.path.pop();
      return p;
    });
    await refused(
      short_,
      breach.request(x),
      `evidence does not verify: leaf ${first}: inclusion proof has the wrong length for this tree size`,
    );
  });

  it('refuses readings of a device revoked (back-dated) before they were taken', async () => {
    const rx = revoked.excursion1();
    const revokedAt = rx.startedAt - 30 * MINUTE;
    await revokeDevice(fx.node.clients, fx.node.contracts.deviceRegistry, revoked.device.deviceId, revokedAt);
    const pkg = await fx.fetchEvidence({ deviceId: revoked.device.deviceId, ...revoked.request(rx).window });
    // The first leaf of the package holding a reading taken at or after the revocation.
    const firstBad = pkg.leaves.find((l) => {
      const p = decodePayload(decodeSign1(decodeLeaf(unb64(l.data)).body).payload);
      return Math.max(...p.r.map((r) => r.t)) >= revokedAt;
    })!;
    await refused(
      fx.oracles.insurer,
      revoked.request(rx),
      `evidence does not verify: leaf ${firstBad.index}: a reading postdates the revocation of ${revoked.device.deviceId}`,
    );
  });

  it('refuses a policy that is only offered', async () => {
    await refused(fx.oracles.insurer, offered.request(offered.excursion1()), `policy ${offered.policyId} is offered, not bound`);
  });

  it('refuses a policy already paid', async () => {
    const px = paid.excursion1();
    // Two organisations (neither the holder's) attest the same request: the contract pays on those.
    const req = paid.request(px);
    const one = await fx.oracles.carrier.attest(req);
    const two = await fx.oracles.insurer.attest(req);
    await submitClaim(fx.node.clients, fx.cover, one.attestation, [one.signature, two.signature]);
    assert.equal((await readPolicy(fx.node.clients, fx.cover, paid.policyId!)).state, 'paid');
    await refused(fx.oracles.insurer, paid.request(px), `policy ${paid.policyId} is paid, not bound`);
  });

  it("refuses a request whose shipment is not the policy's", async () => {
    await refused(
      fx.oracles.insurer,
      breach.request(x, { shipmentId: short.shipmentId }),
      `policy ${breach.policyId} does not insure shipment ${short.shipmentId}`,
    );
    // Another shipment's excursion under this policy: same refusal, before any evidence is fetched.
    const sx = short.excursion1();
    await refused(
      fx.oracles.insurer,
      short.request(sx, { policyId: breach.policyId! }),
      `policy ${breach.policyId} does not insure shipment ${short.shipmentId}`,
    );
  });

  it('refuses an excursion id the evidence does not yield', async () => {
    const madeUp = keccak256(toBytes('an excursion nobody measured'));
    await refused(
      fx.oracles.insurer,
      breach.request(x, { excursionId: madeUp }),
      `the verified readings show no excursion ${madeUp}`,
    );
    // The id of a real excursion of another shipment is not derivable from this one's evidence either.
    const sx = short.excursion1();
    await refused(
      fx.oracles.insurer,
      breach.request(x, { excursionId: sx.id }),
      `the verified readings show no excursion ${sx.id}`,
    );
  });

  it('refuses an excursion within the tolerance', async () => {
    const sx = short.excursion1();
    assert.equal(sx.breached, false);
    await refused(fx.oracles.insurer, short.request(sx), `excursion ${sx.id} lasted 20 min, within the tolerance`);
  });

  it('refuses when the evidence window starts inside the excursion', async () => {
    // Envelopes hold 3 readings every 5 min and the excursion starts on an envelope boundary:
    // from the excursion's first reading on, nothing shows the load inside the band before.
    await refused(
      fx.oracles.insurer,
      breach.request(x, { window: { from: x.startedAt, to: x.endedAt! + 2 * 3600_000 } }),
      'the evidence window starts inside the excursion: its start cannot be established',
    );
  });

  it('refuses when the evidence window ends before the excursion does', async () => {
    await refused(
      fx.oracles.insurer,
      breach.request(x, { window: { from: x.startedAt - 3600_000, to: x.startedAt + 30 * MINUTE } }),
      `excursion ${x.id} has not ended in the evidence`,
    );
  });

  it('refuses a deadline too far ahead or already past', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const deadline of [now + 2 * 3600, now - 10, now]) {
      await refused(fx.oracles.insurer, breach.request(x, { deadline }), `deadline ${deadline} is not within the next hour`);
    }
    // Its own limit, when it has a stricter one.
    const strict = fx.oracle('insurer', { maxDeadlineSeconds: 60 });
    const deadline = now + 600;
    await refused(strict, breach.request(x, { deadline }), `deadline ${deadline} is not within the next 60 s`);
  });

  it('refuses readings signed after the key was revoked, even when they were taken before', async () => {
    // Store-and-forward: the logger signs its buffer two days after the journey; the key is
    // found compromised from one day after it (between the readings and the signature).
    const late = await fx.journey({ name: 'oracle-signed-late', excursionMinutes: 95 });
    await late.deliver(late.sign(late.readings, { signedAt: late.to + 2 * DAY }));
    const lx = late.excursion1();
    await fx.advanceChain(late.to + DAY + MINUTE);
    await revokeDevice(fx.node.clients, fx.node.contracts.deviceRegistry, late.device.deviceId, late.to + DAY);
    const pkg = await fx.fetchEvidence({ deviceId: late.device.deviceId, ...late.request(lx).window });
    // Every reading predates the revocation: only the signing time gives it away.
    assert.ok(pkg.leaves.length > 0);
    await refused(
      fx.oracles.insurer,
      late.request(lx),
      `evidence does not verify: leaf ${pkg.leaves[0]!.index}: signed after the revocation of ${late.device.deviceId}`,
    );
  });
});
