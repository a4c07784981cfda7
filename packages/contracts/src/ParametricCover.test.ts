import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  concat,
  encodeFunctionData,
  hexToBigInt,
  keccak256,
  maxUint256,
  numberToHex,
  parseEther,
  parseUnits,
  size,
  slice,
  toBytes,
  zeroAddress,
  zeroHash,
  type Abi,
  type Account,
  type Address,
  type Hex,
  type PrivateKeyAccount,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import * as att from './attestation.js';
import { CLAIM_WINDOW_SECONDS, computePayout, POLICY_STATE, type PolicyTerms } from './cover.js';
import { fundAccount, startDevChain, type DevChain } from './devchain.js';
import {
  logAnchorAbi,
  memberRegistryAbi,
  parametricCoverAbi,
  parametricCoverBytecode,
  settlementTokenAbi,
  settlementTokenBytecode,
} from './generated/index.js';
import {
  account,
  assertEvent,
  blockTime,
  clientsFor,
  compileTestContract,
  deploy,
  deployAll,
  eventsOf,
  expectRevert,
  mined,
  ROLE,
  type Clients,
} from './test-support.js';

// ------------------------------------------------------------------------------- fixtures

/** secp256k1 group order (for the high-s twin of a signature). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const usd = (n: number | string) => parseUnits(String(n), 6); // tUSD, 6 decimals
const named = (label: string): PrivateKeyAccount => privateKeyToAccount(keccak256(toBytes(`tradetwin cover test: ${label}`)));
const hash = (label: string): Hex => keccak256(toBytes(label));
const abi = parametricCoverAbi;
/** The cover's errors plus the token's (a missing allowance surfaces as the token's error). */
const coverAndTokenAbi = [...parametricCoverAbi, ...settlementTokenAbi] as const satisfies Abi;
const W = CLAIM_WINDOW_SECONDS;
const DAY = 86_400n;

type Terms = PolicyTerms;
interface Bound {
  id: bigint;
  terms: Terms;
  boundAt: bigint;
}
interface Head {
  logSize: bigint;
  logRoot: Hex;
}
type CoverWrite = 'deposit' | 'withdraw' | 'offerPolicy' | 'cancelOffer' | 'bindPolicy' | 'claim' | 'expire' | 'setThreshold';

/** Re-signs a 65-byte signature with s' = n - s and the other v: same signer, high s. */
function highS(sig: Hex): { sig: Hex; s: Hex } {
  const r = slice(sig, 0, 32);
  const s = hexToBigInt(slice(sig, 32, 64));
  const v = Number(hexToBigInt(slice(sig, 64, 65)));
  const s2 = numberToHex(SECP256K1_N - s, { size: 32 });
  return { sig: concat([r, s2, numberToHex(v === 27 ? 28 : 27, { size: 1 })]), s: s2 };
}

/** ERC-2098 compact form (64 bytes): r ‖ (yParity << 255 | s). */
function compact(sig: Hex): Hex {
  const s = hexToBigInt(slice(sig, 32, 64));
  const v = Number(hexToBigInt(slice(sig, 64, 65)));
  return concat([slice(sig, 0, 32), numberToHex(((v === 28 ? 1n : 0n) << 255n) | s, { size: 32 })]);
}

/** A small seeded PRNG (mulberry32), so the property test replays from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)); // inclusive
  const pick = <T>(xs: readonly T[]): T => {
    const x = xs[int(0, xs.length - 1)];
    if (x === undefined) throw new Error('pick from empty');
    return x;
  };
  return { next, int, pick };
}

describe('ParametricCover', () => {
  let chain: DevChain;
  let c: Clients;
  let members: Address;
  let anchor: Address;
  let token: Address;
  let cover: Address;
  let otherCover: Address; // same chain, other verifyingContract
  let chainId: number;

  const admin = account(0); // MemberRegistry admin (ADMISSION_ROLE), token minter
  const aggregator = account(4); // submits claims; not a member
  const insurerA = named('insurer A'); // org 1 INSURER
  const insurerA2 = named('insurer A, 2nd account'); // org 1
  const insurerB = named('insurer B'); // org 2 INSURER
  const o1 = named('oracle 1'); // org 3 ORACLE
  const o1b = named('oracle 1, 2nd key'); // org 3
  const o2 = named('oracle 2'); // org 4 ORACLE
  const o3 = named('oracle 3'); // org 5 ORACLE
  const publisher = named('carrier node'); // org 6 CARRIER: publishes log heads; not an oracle
  const holder1 = named('shipper 1'); // org 7 SHIPPER
  const holderX = named('shipper-oracle'); // org 8 SHIPPER | ORACLE
  const oX = named('shipper-oracle signing key'); // org 8
  const holder2 = named('shipper 2'); // not a member
  const holder3 = named('shipper 3'); // not a member
  const outsider = named('outsider'); // not a member
  const ORG = { A: 1n, B: 2n, O1: 3n, O2: 4n, O3: 5n, CARRIER: 6n, SHIPPER: 7n, SHIPPER_ORACLE: 8n } as const;
  const bit = (...orgs: bigint[]) => orgs.reduce((m, o) => m | (1n << o), 0n);

  // ------------------------------------------------------------------------- helpers
  const writeTo = async (addr: Address, from: Account, functionName: CoverWrite, args: readonly unknown[]) =>
    mined(c, await c.wallet(from).writeContract({ address: addr, abi, functionName, args } as never));
  const attemptOn = (addr: Address, from: Account, functionName: CoverWrite, args: readonly unknown[]) =>
    c.wallet(from).writeContract({ address: addr, abi, functionName, args } as never);
  const write = (from: Account, functionName: CoverWrite, args: readonly unknown[]) => writeTo(cover, from, functionName, args);
  const attempt = (from: Account, functionName: CoverWrite, args: readonly unknown[]) =>
    attemptOn(cover, from, functionName, args);
  const tokenWrite = async (from: Account, functionName: 'mint' | 'approve' | 'transfer', args: readonly unknown[]) =>
    mined(c, await c.wallet(from).writeContract({ address: token, abi: settlementTokenAbi, functionName, args } as never));
  const balanceOf = (who: Address) =>
    c.publicClient.readContract({ address: token, abi: settlementTokenAbi, functionName: 'balanceOf', args: [who] });
  const capitalOf = async (org: bigint, at: Address = cover) => {
    const [free, locked] = await c.publicClient.readContract({ address: at, abi, functionName: 'capital', args: [org] });
    return { free, locked };
  };
  const policyOf = (id: bigint, at: Address = cover) =>
    c.publicClient.readContract({ address: at, abi, functionName: 'policy', args: [id] });
  const admission = async (functionName: 'admitMember' | 'addAccount' | 'setActive', args: readonly unknown[]) =>
    mined(c, await c.wallet(admin).writeContract({ address: members, abi: memberRegistryAbi, functionName, args } as never));
  const latest = async () => (await c.publicClient.getBlock()).timestamp;
  const warp = async (seconds: bigint) => {
    await c.testClient.increaseTime({ seconds: Number(seconds) });
    await c.testClient.mine({ blocks: 1 });
  };

  let shipments = 0;
  const terms = async (o: Partial<Terms> = {}): Promise<Terms> => ({
    holder: holder1.address,
    shipmentId: hash(`shipment ${++shipments}`),
    premium: usd(50),
    sumInsured: usd(1000),
    minCentiC: 200, // +2.00 °C
    maxCentiC: 800, // +8.00 °C
    toleranceMinutes: 30,
    catastrophicMinutes: 360,
    payoutPerHourBps: 1000, // 10 % per started hour beyond the tolerance
    expiresAt: (await latest()) + 30n * DAY,
    logPublisher: publisher.address,
    ...o,
  });
  const offer = async (t: Terms, from: Account = insurerA, at: Address = cover) => {
    const receipt = await writeTo(at, from, 'offerPolicy', [t]);
    const [ev] = eventsOf(abi, receipt, 'PolicyOffered');
    assert.ok(ev, 'PolicyOffered');
    return { id: (ev.args as { policyId: bigint }).policyId, receipt };
  };
  const bind = async (id: bigint, holder: Account, at: Address = cover) => writeTo(at, holder, 'bindPolicy', [id]);
  /** Offers (by insurer A unless told) and binds a policy; deposits the sum insured first. */
  const bound = async (o: Partial<Terms> = {}, holder: Account = holder1, insurer: Account = insurerA): Promise<Bound> => {
    const t = await terms({ holder: holder.address, ...o });
    await write(insurer, 'deposit', [t.sumInsured]);
    const { id } = await offer(t, insurer);
    const receipt = await bind(id, holder);
    return { id, terms: t, boundAt: await blockTime(c, receipt) };
  };

  let heads = 0n;
  let headTime = 1_700_000_000_000n;
  const anchorHead = async (): Promise<Head> => {
    heads += 10n;
    headTime += 1000n;
    const logRoot = hash(`root ${heads}`);
    mined(
      c,
      await c
        .wallet(publisher)
        .writeContract({ address: anchor, abi: logAnchorAbi, functionName: 'publishHead', args: [heads, logRoot, headTime] }),
    );
    return { logSize: heads, logRoot };
  };
  let head: Head; // an anchored head of the publisher's log, reused as evidence

  let excursions = 0;
  const attestation = async (p: Bound, o: Partial<att.ExcursionAttestation> = {}): Promise<att.ExcursionAttestation> => {
    const now = await latest();
    // biome-ignore lint/complexity/useMathMinMax: bigints
    const endedAt = now < p.terms.expiresAt ? now : p.terms.expiresAt;
    return {
      policyId: p.id,
      excursionId: hash(`excursion ${++excursions}`),
      startedAt: p.boundAt,
      endedAt,
      minutesOutside: 95, // 65 beyond the tolerance: 2 started hours
      peakCentiC: p.terms.maxCentiC + 350,
      logPublisher: p.terms.logPublisher,
      logSize: head.logSize,
      logRoot: head.logRoot,
      nonce: att.randomNonce(),
      deadline: now + 3600n,
      ...o,
    };
  };
  const sign = (a: att.ExcursionAttestation, signers: readonly PrivateKeyAccount[], at: Address = cover, id: number = chainId) =>
    Promise.all(signers.map((s) => att.signAttestation(s, id, at, a)));
  const claim = (a: att.ExcursionAttestation, sigs: readonly Hex[]) => write(aggregator, 'claim', [a, sigs]);
  const tryClaim = (a: att.ExcursionAttestation, sigs: readonly Hex[]) => attempt(aggregator, 'claim', [a, sigs]);

  /** Token balances of everyone involved and capital of both insurers (for "nothing moved"). */
  const snapshot = async (policyId?: bigint) => {
    const who = [
      cover,
      insurerA.address,
      insurerA2.address,
      insurerB.address,
      holder1.address,
      holder2.address,
      holderX.address,
      aggregator.address,
    ];
    return {
      balances: await Promise.all(who.map(balanceOf)),
      capital: await Promise.all([capitalOf(ORG.A), capitalOf(ORG.B)]),
      policyCount: await c.publicClient.readContract({ address: cover, abi, functionName: 'policyCount' }),
      policy: policyId === undefined ? undefined : await policyOf(policyId),
    };
  };
  /** Expects the custom error and that no balance, capital or policy changed. */
  const refused = async (
    send: () => Promise<unknown>,
    errorName: string,
    args?: readonly unknown[] | null,
    policyId?: bigint,
  ): Promise<readonly unknown[]> => {
    const before = await snapshot(policyId);
    const got = await expectRevert(send(), coverAndTokenAbi, errorName, args);
    assert.deepEqual(await snapshot(policyId), before, `${errorName}: state changed`);
    return got;
  };

  before(async () => {
    chain = await startDevChain();
    c = clientsFor(chain);
    chainId = chain.chainId;
    const d = await deployAll(c, admin);
    members = d.memberRegistry;
    anchor = d.logAnchor;
    token = await deploy(c, admin, settlementTokenAbi, settlementTokenBytecode, ['TradeTwin USD', 'tUSD', 6, admin.address]);
    cover = await deploy(c, admin, abi, parametricCoverBytecode, [members, anchor, token, 2]);
    otherCover = await deploy(c, admin, abi, parametricCoverBytecode, [members, anchor, token, 2]);

    const gas = [insurerA, insurerA2, insurerB, publisher, holder1, holderX, holder2, holder3, outsider];
    await Promise.all(gas.map((a) => fundAccount(chain.rpcUrl, a.address, parseEther('10'))));
    await admission('admitMember', [insurerA.address, 'Insurer A', ROLE.INSURER]);
    await admission('addAccount', [ORG.A, insurerA2.address]);
    await admission('admitMember', [insurerB.address, 'Insurer B', ROLE.INSURER]);
    await admission('admitMember', [o1.address, 'Oracle 1', ROLE.ORACLE]);
    await admission('addAccount', [ORG.O1, o1b.address]);
    await admission('admitMember', [o2.address, 'Oracle 2', ROLE.ORACLE]);
    await admission('admitMember', [o3.address, 'Oracle 3', ROLE.ORACLE]);
    await admission('admitMember', [publisher.address, 'Carrier', ROLE.CARRIER]);
    await admission('admitMember', [holder1.address, 'Shipper', ROLE.SHIPPER]);
    await admission('admitMember', [holderX.address, 'Shipper-oracle', ROLE.SHIPPER | ROLE.ORACLE]);
    await admission('addAccount', [ORG.SHIPPER_ORACLE, oX.address]);

    for (const a of [insurerA, insurerA2, insurerB]) await tokenWrite(admin, 'mint', [a.address, usd(1_000_000)]);
    for (const a of [holder1, holder2, holder3, holderX]) await tokenWrite(admin, 'mint', [a.address, usd(100_000)]);
    for (const a of [insurerA, insurerA2, insurerB, holder1, holder2, holder3, holderX]) {
      await tokenWrite(a, 'approve', [cover, maxUint256]);
    }
    head = await anchorHead();
  });
  after(async () => {
    await chain?.stop();
  });

  // ---------------------------------------------------------------------- deployment

  describe('deployment', () => {
    it('refuses zero addresses and a zero threshold', async () => {
      const dep = (args: readonly unknown[]) => deploy(c, admin, abi, parametricCoverBytecode, args);
      await expectRevert(dep([zeroAddress, anchor, token, 2]), abi, 'ZeroAddress');
      await expectRevert(dep([members, zeroAddress, token, 2]), abi, 'ZeroAddress');
      await expectRevert(dep([members, anchor, zeroAddress, 2]), abi, 'ZeroAddress');
      await expectRevert(dep([members, anchor, token, 0]), abi, 'InvalidThreshold', [0]);
    });

    it('exposes its registries, token, threshold and constants; logs the initial threshold', async () => {
      const r = <
        F extends
          | 'members'
          | 'anchor'
          | 'token'
          | 'threshold'
          | 'CLAIM_WINDOW'
          | 'ATTESTATION_TYPEHASH'
          | 'INSURER'
          | 'ORACLE'
          | 'policyCount',
      >(
        functionName: F,
      ) => c.publicClient.readContract({ address: cover, abi, functionName } as never) as Promise<unknown>;
      assert.equal(await r('members'), members);
      assert.equal(await r('anchor'), anchor);
      assert.equal(await r('token'), token);
      assert.equal(await r('threshold'), 2);
      assert.equal(await r('CLAIM_WINDOW'), W);
      assert.equal(await r('ATTESTATION_TYPEHASH'), keccak256(toBytes(att.ATTESTATION_TYPE)));
      assert.equal(await r('INSURER'), ROLE.INSURER);
      assert.equal(await r('ORACLE'), ROLE.ORACLE);
      assert.equal(await r('policyCount'), 0n);
      const logs = await c.publicClient.getContractEvents({ address: cover, abi, eventName: 'ThresholdChanged', fromBlock: 0n });
      assert.deepEqual(
        logs.map((l) => l.args),
        [{ previous: 0, threshold: 2 }],
      );
    });

    it('its EIP-712 domain is the one in docs/design.md and attestation.ts', async () => {
      const [, name, version, id, verifyingContract] = await c.publicClient.readContract({
        address: cover,
        abi,
        functionName: 'eip712Domain',
      });
      const d = att.domain(chainId, cover);
      assert.deepEqual({ name, version, chainId: id, verifyingContract }, { ...d });
      assert.equal(name, 'TradeTwin ParametricCover');
      assert.equal(version, '1');
    });

    it('TypeScript hashAttestation equals the contract digest, for any field values', async () => {
      const samples: att.ExcursionAttestation[] = [
        {
          policyId: 1n,
          excursionId: hash('x'),
          startedAt: 1_700_000_000n,
          endedAt: 1_700_003_600n,
          minutesOutside: 60,
          peakCentiC: 1234,
          logPublisher: publisher.address,
          logSize: 42n,
          logRoot: hash('r'),
          nonce: 7n,
          deadline: 1_800_000_000n,
        },
        {
          policyId: maxUint256,
          excursionId: `0x${'ff'.repeat(32)}`,
          startedAt: 2n ** 64n - 1n,
          endedAt: 0n,
          minutesOutside: 2 ** 32 - 1,
          peakCentiC: -(2 ** 31), // negative: sign-extended in encodeData
          logPublisher: zeroAddress,
          logSize: 2n ** 64n - 1n,
          logRoot: zeroHash,
          nonce: maxUint256,
          deadline: 2n ** 64n - 1n,
        },
        { ...(await attestation({ id: 3n, boundAt: 5n, terms: await terms() })), peakCentiC: -2500 },
      ];
      for (const a of samples) {
        for (const at of [cover, otherCover]) {
          const onChain = await c.publicClient.readContract({ address: at, abi, functionName: 'hashAttestation', args: [a] });
          assert.equal(att.hashAttestation(chainId, at, a), onChain);
        }
        const sig = await att.signAttestation(o1, chainId, cover, a);
        assert.equal(size(sig), 65);
        assert.equal(await att.recoverAttestationSigner(chainId, cover, a, sig), o1.address);
      }
      assert.notEqual(att.hashAttestation(chainId, cover, samples[0]!), att.hashAttestation(chainId, otherCover, samples[0]!));
      assert.notEqual(att.hashAttestation(chainId, cover, samples[0]!), att.hashAttestation(1, cover, samples[0]!));
    });
  });

  // --------------------------------------------------------------------- happy path

  describe('happy path', () => {
    it('insurer deposits and offers, shipper binds, 2 of 3 oracle orgs attest anchored evidence, the holder is paid', async () => {
      const sum = usd(1000);
      const premium = usd(50);
      const insurerStart = await balanceOf(insurerA.address);
      const holderStart = await balanceOf(holder1.address);
      const aggregatorStart = await balanceOf(aggregator.address);

      // insurer deposits capital
      const dep = await write(insurerA, 'deposit', [usd(5000)]);
      assertEvent(abi, dep, 'CapitalDeposited', { orgId: ORG.A, amount: usd(5000) });
      assert.deepEqual(await capitalOf(ORG.A), { free: usd(5000), locked: 0n });
      assert.equal(await balanceOf(cover), usd(5000));
      assert.equal(await balanceOf(insurerA.address), insurerStart - usd(5000));

      // insurer offers
      const t = await terms({ sumInsured: sum, premium });
      const { id, receipt: offered } = await offer(t);
      assert.equal(id, 1n);
      assertEvent(abi, offered, 'PolicyOffered', {
        policyId: id,
        insurerOrg: ORG.A,
        holder: holder1.address,
        shipmentId: t.shipmentId,
      });
      assert.deepEqual(await policyOf(id), {
        terms: t,
        insurerOrg: ORG.A,
        state: POLICY_STATE.Offered,
        boundAt: 0n,
        threshold: 2,
      });
      console.log(`# gas offerPolicy: ${offered.gasUsed}`);

      // shipper binds, paying the premium; the sum insured is locked
      const b = await bind(id, holder1);
      const boundAt = await blockTime(c, b);
      assertEvent(abi, b, 'PolicyBound', { policyId: id, insurerOrg: ORG.A, holder: holder1.address, premium, sumInsured: sum });
      assert.deepEqual(await policyOf(id), { terms: t, insurerOrg: ORG.A, state: POLICY_STATE.Bound, boundAt, threshold: 2 });
      assert.deepEqual(await capitalOf(ORG.A), { free: usd(5000) - sum + premium, locked: sum });
      assert.equal(await balanceOf(holder1.address), holderStart - premium);
      assert.equal(await balanceOf(cover), usd(5000) + premium);
      console.log(`# gas bindPolicy: ${b.gasUsed}`);

      // the carrier's node anchors the log head holding the excursion's readings
      const evidence = await anchorHead();
      // two of the three oracle orgs sign the excursion: 95 min outside, tolerance 30 → 2 started hours × 10 %
      const a = await attestation({ id, terms: t, boundAt }, { ...evidence, minutesOutside: 95 });
      const expected = usd(200);
      assert.equal(computePayout(t, 95), expected);
      assert.equal(
        await c.publicClient.readContract({ address: cover, abi, functionName: 'payoutFor', args: [id, 95] }),
        expected,
      );
      const paid = await claim(a, await sign(a, [o2, o1]));
      assertEvent(abi, paid, 'ClaimPaid', {
        policyId: id,
        excursionId: a.excursionId,
        amount: expected,
        orgBitmap: bit(ORG.O1, ORG.O2),
      });
      assertEvent(abi, paid, 'AttestationNonceConsumed', { nonce: a.nonce, policyId: id });
      console.log(`# gas claim 2-of-3: ${paid.gasUsed}`);

      assert.equal(await balanceOf(holder1.address), holderStart - premium + expected);
      assert.equal(await balanceOf(aggregator.address), aggregatorStart);
      assert.equal(await balanceOf(cover), usd(5000) + premium - expected);
      assert.deepEqual(await capitalOf(ORG.A), { free: usd(5000) + premium - expected, locked: 0n });
      assert.equal((await policyOf(id)).state, POLICY_STATE.Paid);
      assert.equal(await c.publicClient.readContract({ address: cover, abi, functionName: 'nonceUsed', args: [a.nonce] }), true);

      // the insurer takes its remaining capital out
      const w = await write(insurerA, 'withdraw', [usd(5000) + premium - expected]);
      assertEvent(abi, w, 'CapitalWithdrawn', { orgId: ORG.A, amount: usd(5000) + premium - expected });
      assert.equal(await balanceOf(cover), 0n);
      assert.equal(await balanceOf(insurerA.address), insurerStart + premium - expected);
    });
  });

  // ------------------------------------------------------------------ payout formula

  describe('payout formula', () => {
    it('payoutFor: nothing up to the tolerance, per started hour beyond it, full from catastrophic, capped', async () => {
      const t = await terms({ sumInsured: usd(1000), toleranceMinutes: 30, catastrophicMinutes: 360, payoutPerHourBps: 1000 });
      const { id } = await offer(t);
      const table: [number, bigint][] = [
        [0, 0n],
        [30, 0n],
        [31, usd(100)], // 1 started hour
        [90, usd(100)],
        [91, usd(200)],
        [359, usd(600)], // ceil(329 / 60) = 6
        [360, usd(1000)], // catastrophic
        [2 ** 32 - 1, usd(1000)],
      ];
      for (const [m, want] of table) {
        assert.equal(
          await c.publicClient.readContract({ address: cover, abi, functionName: 'payoutFor', args: [id, m] }),
          want,
          `${m} min`,
        );
        assert.equal(computePayout(t, m), want, `TS ${m} min`);
      }
      const steep = await terms({
        sumInsured: usd(1000),
        toleranceMinutes: 0,
        catastrophicMinutes: 10_000,
        payoutPerHourBps: 4000,
      });
      const { id: steepId } = await offer(steep);
      for (const [m, want] of [
        [60, usd(400)],
        [120, usd(800)],
        [121, usd(1000)], // 3 × 40 % = 120 %: capped
        [9_999, usd(1000)],
      ] as [number, bigint][]) {
        assert.equal(
          await c.publicClient.readContract({ address: cover, abi, functionName: 'payoutFor', args: [steepId, m] }),
          want,
        );
        assert.equal(computePayout(steep, m), want);
      }
      const odd = await terms({ sumInsured: 999_999n, toleranceMinutes: 5, catastrophicMinutes: 600, payoutPerHourBps: 333 });
      const { id: oddId } = await offer(odd);
      // 999999 * 333 * 2 / 10000 = 66599.93… rounds down
      assert.equal(
        await c.publicClient.readContract({ address: cover, abi, functionName: 'payoutFor', args: [oddId, 66] }),
        66_599n,
      );
      assert.equal(computePayout(odd, 66), 66_599n);
      await refused(
        () => c.publicClient.readContract({ address: cover, abi, functionName: 'payoutFor', args: [999n, 60] }),
        'UnknownPolicy',
        [999n],
      );
    });

    for (const [label, o, minutes, want] of [
      ['a partial payout per started hour beyond the tolerance', {}, 151, usd(300)], // ceil(121 / 60) = 3 → 30 %
      ['the full sum from the catastrophic duration', {}, 360, usd(1000)],
      ['at most the sum insured', { payoutPerHourBps: 6000 }, 91, usd(1000)], // 2 × 60 % capped
    ] as [string, Partial<Terms>, number, bigint][]) {
      it(`claim pays ${label}; the rest of the lock returns to free capital`, async () => {
        const p = await bound({ sumInsured: usd(1000), premium: usd(10), ...o });
        const before = await capitalOf(ORG.A);
        const holderBefore = await balanceOf(holder1.address);
        const coverBefore = await balanceOf(cover);
        const a = await attestation(p, { minutesOutside: minutes });
        const receipt = await claim(a, await sign(a, [o1, o3]));
        assertEvent(abi, receipt, 'ClaimPaid', {
          policyId: p.id,
          excursionId: a.excursionId,
          amount: want,
          orgBitmap: bit(ORG.O1, ORG.O3),
        });
        assert.equal(await balanceOf(holder1.address), holderBefore + want);
        assert.equal(await balanceOf(cover), coverBefore - want);
        assert.deepEqual(await capitalOf(ORG.A), { free: before.free + usd(1000) - want, locked: before.locked - usd(1000) });
      });
    }
  });

  // ----------------------------------------------------------------------- capital

  describe('capital', () => {
    it('deposit: only accounts of active INSURER members, not zero, needs an allowance', async () => {
      await refused(() => attempt(outsider, 'deposit', [usd(1)]), 'NotAMember', [outsider.address]);
      await refused(() => attempt(publisher, 'deposit', [usd(1)]), 'MissingRole', [publisher.address, ROLE.INSURER]);
      await refused(() => attempt(holder1, 'deposit', [usd(1)]), 'MissingRole', [holder1.address, ROLE.INSURER]);
      await refused(() => attempt(insurerA, 'deposit', [0n]), 'ZeroAmount');
      await tokenWrite(insurerB, 'approve', [cover, usd(5)]);
      await refused(() => attempt(insurerB, 'deposit', [usd(6)]), 'ERC20InsufficientAllowance', [cover, usd(5), usd(6)]);
      await tokenWrite(insurerB, 'approve', [cover, maxUint256]);
      await admission('setActive', [ORG.B, false]);
      await refused(() => attempt(insurerB, 'deposit', [usd(1)]), 'NotAMember', [insurerB.address]);
      await admission('setActive', [ORG.B, true]);
    });

    it('any account of the insurer deposits to and withdraws from the member account', async () => {
      const before = await capitalOf(ORG.A);
      const a2Before = await balanceOf(insurerA2.address);
      const r = await write(insurerA2, 'deposit', [usd(700)]);
      assertEvent(abi, r, 'CapitalDeposited', { orgId: ORG.A, amount: usd(700) });
      assert.deepEqual(await capitalOf(ORG.A), { free: before.free + usd(700), locked: before.locked });
      const w = await write(insurerA2, 'withdraw', [usd(300)]);
      assertEvent(abi, w, 'CapitalWithdrawn', { orgId: ORG.A, amount: usd(300) });
      assert.deepEqual(await capitalOf(ORG.A), { free: before.free + usd(400), locked: before.locked });
      assert.equal(await balanceOf(insurerA2.address), a2Before - usd(400));
    });

    it('withdraw: free capital only (Underfunded), not zero, members only; a suspended insurer can still withdraw', async () => {
      const p = await bound({ sumInsured: usd(800) }, holder1, insurerB); // locks 800 of B
      const { free, locked } = await capitalOf(ORG.B);
      assert.ok(locked >= usd(800));
      await refused(() => attempt(insurerB, 'withdraw', [free + 1n]), 'Underfunded', [free, free + 1n], p.id);
      await refused(() => attempt(insurerB, 'withdraw', [free + locked]), 'Underfunded', [free, free + locked], p.id);
      await refused(() => attempt(insurerB, 'withdraw', [0n]), 'ZeroAmount');
      await refused(() => attempt(outsider, 'withdraw', [1n]), 'NotAMember', [outsider.address]);
      await refused(() => attempt(holder1, 'withdraw', [1n]), 'Underfunded', [0n, 1n]); // a member without capital
      await admission('setActive', [ORG.B, false]);
      await write(insurerB, 'deposit', [1n]).then(
        () => assert.fail('suspended insurer deposited'),
        () => undefined,
      );
      const w = await write(insurerB, 'withdraw', [usd(50)]);
      assertEvent(abi, w, 'CapitalWithdrawn', { orgId: ORG.B, amount: usd(50) });
      await admission('setActive', [ORG.B, true]);
      assert.deepEqual(await capitalOf(ORG.B), { free: free - usd(50), locked });
    });

    it('capital accounts are 128-bit: an overflowing deposit is refused', async () => {
      const huge = 2n ** 128n;
      await tokenWrite(admin, 'mint', [insurerB.address, huge]);
      const { free, locked } = await capitalOf(ORG.B);
      assert.ok(locked > 0n);
      await refused(() => attempt(insurerB, 'deposit', [huge]), 'CapitalTooLarge', [free + locked + huge]);
      // free + locked counts, not free alone: this deposit would not overflow `free`
      const fits = 2n ** 128n - 1n - free - locked;
      await refused(() => attempt(insurerB, 'deposit', [fits + 1n]), 'CapitalTooLarge', [2n ** 128n]);
      // at binding, the premium must fit too
      await write(insurerB, 'deposit', [fits]); // free + locked = 2^128 - 1
      const { id } = await offer(await terms({ premium: 1n, sumInsured: usd(1) }), insurerB);
      await refused(() => attempt(holder1, 'bindPolicy', [id]), 'CapitalTooLarge', [2n ** 128n], id);
      await write(insurerB, 'withdraw', [fits]);
    });
  });

  // ---------------------------------------------------------------------- offering

  describe('offerPolicy / cancelOffer', () => {
    it('only accounts of active INSURER members offer', async () => {
      const t = await terms();
      await refused(() => attempt(outsider, 'offerPolicy', [t]), 'NotAMember', [outsider.address]);
      await refused(() => attempt(holder1, 'offerPolicy', [t]), 'MissingRole', [holder1.address, ROLE.INSURER]);
      await refused(() => attempt(o1, 'offerPolicy', [t]), 'MissingRole', [o1.address, ROLE.INSURER]); // an oracle (estimate only: no gas)
    });

    it('validates the terms', async () => {
      const now = await latest();
      const cases: [Partial<Terms>, string, readonly unknown[] | null][] = [
        [{ holder: zeroAddress }, 'ZeroAddress', []],
        [{ logPublisher: zeroAddress }, 'ZeroAddress', []],
        [{ minCentiC: 800, maxCentiC: 800 }, 'InvalidTemperatureRange', [800, 800]],
        [{ minCentiC: 900, maxCentiC: -100 }, 'InvalidTemperatureRange', [900, -100]],
        [{ toleranceMinutes: 60, catastrophicMinutes: 60 }, 'InvalidDurations', [60, 60]],
        [{ toleranceMinutes: 61, catastrophicMinutes: 60 }, 'InvalidDurations', [61, 60]],
        [{ sumInsured: 0n }, 'ZeroSumInsured', []],
        [{ expiresAt: now - 1n }, 'ExpiryNotInFuture', null],
        [{ payoutPerHourBps: 10_001 }, 'PayoutRateTooHigh', [10_001]],
        [{ sumInsured: 2n ** 128n }, 'SafeCastOverflowedUintDowncast', [128, 2n ** 128n]],
        [{ premium: 2n ** 128n }, 'SafeCastOverflowedUintDowncast', [128, 2n ** 128n]],
      ];
      for (const [o, name, args] of cases) {
        const t = await terms(o);
        const got = await refused(() => attempt(insurerA, 'offerPolicy', [t]), name, args);
        if (name === 'ExpiryNotInFuture') {
          assert.equal(got[0], now - 1n);
          assert.ok((got[1] as bigint) >= now);
        }
      }
      // the edges that are allowed: bps 10000 and 0, premium 0, negative temperatures
      for (const o of [
        { payoutPerHourBps: 10_000 },
        { payoutPerHourBps: 0 },
        { premium: 0n },
        { minCentiC: -2500, maxCentiC: -1800 },
      ]) {
        await offer(await terms(o));
      }
    });

    it('the insurer (any account) cancels an offer; nobody else; only while Offered', async () => {
      const { id } = await offer(await terms());
      await refused(() => attempt(insurerB, 'cancelOffer', [id]), 'NotPolicyInsurer', [insurerB.address, id], id);
      await refused(() => attempt(holder1, 'cancelOffer', [id]), 'NotPolicyInsurer', [holder1.address, id], id);
      await refused(() => attempt(insurerA, 'cancelOffer', [999n]), 'UnknownPolicy', [999n]);
      const r = await write(insurerA2, 'cancelOffer', [id]);
      assertEvent(abi, r, 'OfferCancelled', { policyId: id });
      assert.equal((await policyOf(id)).state, POLICY_STATE.Cancelled);
      await refused(() => attempt(insurerA, 'cancelOffer', [id]), 'WrongPolicyState', [id, POLICY_STATE.Cancelled], id);
      await refused(() => attempt(holder1, 'bindPolicy', [id]), 'WrongPolicyState', [id, POLICY_STATE.Cancelled], id);
      const p = await bound();
      await refused(() => attempt(insurerA, 'cancelOffer', [p.id]), 'WrongPolicyState', [p.id, POLICY_STATE.Bound], p.id);
    });

    it('policy() refuses unknown ids', async () => {
      await expectRevert(policyOf(0n), abi, 'UnknownPolicy', [0n]);
      await expectRevert(policyOf(10_000n), abi, 'UnknownPolicy', [10_000n]);
    });
  });

  // ----------------------------------------------------------------------- binding

  describe('bindPolicy', () => {
    it('only the holder binds', async () => {
      const { id } = await offer(await terms());
      await refused(() => attempt(insurerA, 'bindPolicy', [id]), 'NotPolicyHolder', [insurerA.address, id], id);
      await refused(() => attempt(holder2, 'bindPolicy', [id]), 'NotPolicyHolder', [holder2.address, id], id);
      await refused(() => attempt(holder1, 'bindPolicy', [999n]), 'UnknownPolicy', [999n]);
    });

    it('refuses when the insurer’s free capital cannot cover the sum insured (the premium does not count)', async () => {
      const { free } = await capitalOf(ORG.A);
      const t = await terms({ sumInsured: free + 1n, premium: usd(100) });
      const { id } = await offer(t);
      await refused(() => attempt(holder1, 'bindPolicy', [id]), 'Underfunded', [free, free + 1n], id);
      await write(insurerA, 'deposit', [1n]);
      await bind(id, holder1);
      assert.deepEqual(await capitalOf(ORG.A), { free: usd(100), locked: (await capitalOf(ORG.A)).locked });
    });

    it('a policy is bound once', async () => {
      const p = await bound();
      await refused(() => attempt(holder1, 'bindPolicy', [p.id]), 'WrongPolicyState', [p.id, POLICY_STATE.Bound], p.id);
    });

    it('a premium of 0 needs no allowance', async () => {
      await tokenWrite(holder2, 'approve', [cover, 0n]);
      const t = await terms({ holder: holder2.address, premium: 0n });
      await write(insurerA, 'deposit', [t.sumInsured]);
      const { id } = await offer(t);
      const r = await bind(id, holder2);
      assertEvent(abi, r, 'PolicyBound', {
        policyId: id,
        insurerOrg: ORG.A,
        holder: holder2.address,
        premium: 0n,
        sumInsured: t.sumInsured,
      });
    });

    it('the holder must have approved the premium', async () => {
      const t = await terms({ holder: holder2.address, premium: usd(3) });
      await write(insurerA, 'deposit', [t.sumInsured]);
      const { id } = await offer(t);
      await refused(() => attempt(holder2, 'bindPolicy', [id]), 'ERC20InsufficientAllowance', [cover, 0n, usd(3)], id);
      await tokenWrite(holder2, 'approve', [cover, maxUint256]);
    });

    it('an offer cannot be bound from its expiry on', async () => {
      const t = await terms({ expiresAt: (await latest()) + 100n });
      await write(insurerA, 'deposit', [t.sumInsured]);
      const { id } = await offer(t);
      await warp(200n);
      await refused(() => attempt(holder1, 'bindPolicy', [id]), 'OfferExpired', [id, t.expiresAt], id);
    });
  });

  // ------------------------------------------------------------------------- claims

  describe('claim refusals (each leaves balances, capital and the policy unchanged)', () => {
    let p: Bound;
    before(async () => {
      p = await bound();
    });

    it('a signer that is not an oracle: a member without ORACLE, a non-member, a suspended oracle org', async () => {
      const a = await attestation(p);
      await refused(async () => tryClaim(a, await sign(a, [o1, publisher])), 'NotAnOracle', [publisher.address], p.id);
      await refused(async () => tryClaim(a, await sign(a, [outsider, o2])), 'NotAnOracle', [outsider.address], p.id);
      await refused(async () => tryClaim(a, await sign(a, [insurerA, o2])), 'NotAnOracle', [insurerA.address], p.id);
      await admission('setActive', [ORG.O3, false]);
      await refused(async () => tryClaim(a, await sign(a, [o1, o3])), 'NotAnOracle', [o3.address], p.id);
      await admission('setActive', [ORG.O3, true]);
    });

    it('a second key of the same org, or the same key twice (DuplicateOrg)', async () => {
      const a = await attestation(p);
      await refused(async () => tryClaim(a, await sign(a, [o1, o1b])), 'DuplicateOrg', [ORG.O1], p.id);
      await refused(async () => tryClaim(a, await sign(a, [o2, o1, o1b])), 'DuplicateOrg', [ORG.O1], p.id);
      await refused(async () => tryClaim(a, await sign(a, [o2, o2])), 'DuplicateOrg', [ORG.O2], p.id);
    });

    it('signed for another chain id, another contract or other values: a different signer is recovered and refused', async () => {
      const a = await attestation(p);
      const wrongChain = await sign(a, [o1, o2], cover, 1);
      const r1 = await att.recoverAttestationSigner(chainId, cover, a, wrongChain[0]!);
      assert.notEqual(r1, o1.address);
      await refused(() => tryClaim(a, wrongChain), 'NotAnOracle', [r1], p.id);

      const wrongContract = await sign(a, [o1, o2], otherCover);
      const r2 = await att.recoverAttestationSigner(chainId, cover, a, wrongContract[0]!);
      assert.notEqual(r2, o1.address);
      await refused(() => tryClaim(a, wrongContract), 'NotAnOracle', [r2], p.id);

      const sigs = await sign(a, [o1, o2]);
      const inflated = { ...a, minutesOutside: 10_000 }; // the aggregator changes a value after signing
      const r3 = await att.recoverAttestationSigner(chainId, cover, inflated, sigs[0]!);
      await refused(() => tryClaim(inflated, sigs), 'NotAnOracle', [r3], p.id);
    });

    it('fewer distinct oracle orgs than the threshold', async () => {
      const a = await attestation(p);
      await refused(async () => tryClaim(a, await sign(a, [o1])), 'NotEnoughAttestations', [1n, 2n], p.id);
      await refused(() => tryClaim(a, []), 'NotEnoughAttestations', [0n, 2n], p.id);
    });

    it('malformed signatures: high s (malleable), 64-byte compact, bad v, zero r', async () => {
      const a = await attestation(p);
      const [good1, good2] = await sign(a, [o1, o2]);
      const twin = highS(good1!);
      await refused(() => tryClaim(a, [good2!, twin.sig]), 'ECDSAInvalidSignatureS', [twin.s], p.id);
      await refused(() => tryClaim(a, [compact(good1!), good2!]), 'ECDSAInvalidSignatureLength', [64n], p.id);
      await refused(() => tryClaim(a, [concat([slice(good1!, 0, 64), '0x1d']), good2!]), 'ECDSAInvalidSignature', [], p.id);
      await refused(() => tryClaim(a, [concat([zeroHash, slice(good1!, 32, 65)]), good2!]), 'ECDSAInvalidSignature', [], p.id);
      await refused(() => tryClaim(a, ['0x', good2!]), 'ECDSAInvalidSignatureLength', [0n], p.id);
    });

    it('evidence never anchored, or in another log than the policy names', async () => {
      const unanchored = await attestation(p, { logSize: head.logSize, logRoot: hash('never anchored') });
      await refused(
        async () => tryClaim(unanchored, await sign(unanchored, [o1, o2])),
        'EvidenceNotAnchored',
        [publisher.address, head.logSize, hash('never anchored')],
        p.id,
      );
      const future = await attestation(p, { logSize: head.logSize + 1_000_000n });
      await refused(
        async () => tryClaim(future, await sign(future, [o1, o2])),
        'EvidenceNotAnchored',
        [publisher.address, head.logSize + 1_000_000n, head.logRoot],
        p.id,
      );
      const otherLog = await attestation(p, { logPublisher: holder1.address });
      await refused(
        async () => tryClaim(otherLog, await sign(otherLog, [o1, o2])),
        'WrongLogPublisher',
        [publisher.address, holder1.address],
        p.id,
      );
    });

    it('an expired deadline', async () => {
      const now = await latest();
      const a = await attestation(p, { deadline: now - 1n });
      const got = await refused(async () => tryClaim(a, await sign(a, [o1, o2])), 'AttestationExpired', null, p.id);
      assert.equal(got[0], now - 1n);
      assert.ok((got[1] as bigint) >= now);
    });

    it('at or below the tolerance (BelowTolerance), and no payout due (bps 0 below catastrophic)', async () => {
      for (const m of [0, 1, 30]) {
        const a = await attestation(p, { minutesOutside: m });
        await refused(async () => tryClaim(a, await sign(a, [o1, o2])), 'BelowTolerance', [m, 30], p.id);
      }
      const zeroRate = await bound({ payoutPerHourBps: 0 });
      const a = await attestation(zeroRate, { minutesOutside: 359 });
      await refused(async () => tryClaim(a, await sign(a, [o1, o2])), 'NoPayoutDue', [zeroRate.id, 359], zeroRate.id);
      const full = await attestation(zeroRate, { minutesOutside: 360 }); // binary cover: only catastrophic pays
      const r = await claim(full, await sign(full, [o1, o2]));
      assertEvent(abi, r, 'ClaimPaid', {
        policyId: zeroRate.id,
        excursionId: full.excursionId,
        amount: zeroRate.terms.sumInsured,
        orgBitmap: bit(ORG.O1, ORG.O2),
      });
    });

    it('an excursion outside the cover, ending before it starts, not over yet, or with its peak inside the range', async () => {
      const now = await latest();
      const early = await attestation(p, { startedAt: p.boundAt - 1n });
      await refused(
        async () => tryClaim(early, await sign(early, [o1, o2])),
        'ExcursionOutsideCover',
        [p.boundAt - 1n, early.endedAt, p.boundAt, p.terms.expiresAt],
        p.id,
      );
      const reversed = await attestation(p, { startedAt: now, endedAt: now - 1n });
      await refused(
        async () => tryClaim(reversed, await sign(reversed, [o1, o2])),
        'ExcursionEndsBeforeStart',
        [now, now - 1n],
        p.id,
      );
      const future = await attestation(p, { endedAt: now + 3600n });
      const got = await refused(async () => tryClaim(future, await sign(future, [o1, o2])), 'ExcursionInFuture', null, p.id);
      assert.equal(got[0], now + 3600n);
      for (const peak of [p.terms.minCentiC, p.terms.maxCentiC, 500]) {
        const a = await attestation(p, { peakCentiC: peak });
        await refused(
          async () => tryClaim(a, await sign(a, [o1, o2])),
          'PeakWithinRange',
          [peak, p.terms.minCentiC, p.terms.maxCentiC],
          p.id,
        );
      }
      // just outside the range on either side is an excursion
      for (const peak of [p.terms.minCentiC - 1, p.terms.maxCentiC + 1]) {
        const a = await attestation(p, { peakCentiC: peak });
        await c.publicClient.simulateContract({
          account: aggregator,
          address: cover,
          abi,
          functionName: 'claim',
          args: [a, await sign(a, [o1, o2])],
        });
      }
    });

    it('the holder’s own org cannot attest its claim', async () => {
      const q = await bound({}, holderX);
      const a = await attestation(q);
      await refused(async () => tryClaim(a, await sign(a, [o1, oX])), 'HolderOrgCannotAttest', [ORG.SHIPPER_ORACLE], q.id);
      // the same oracle key attests claims of other holders
      const other = await bound();
      const b = await attestation(other);
      const r = await claim(b, await sign(b, [oX, o1]));
      assertEvent(abi, r, 'ClaimPaid', {
        policyId: other.id,
        excursionId: b.excursionId,
        amount: usd(200),
        orgBitmap: bit(ORG.O1, ORG.SHIPPER_ORACLE),
      });
    });

    it('a reused nonce', async () => {
      const q = await bound();
      const first = await attestation(q);
      await claim(first, await sign(first, [o1, o2]));
      const again = await attestation(p, { nonce: first.nonce });
      await refused(async () => tryClaim(again, await sign(again, [o1, o2])), 'NonceUsed', [first.nonce], p.id);
    });

    it('an unbound (Offered), unknown, already-paid or expired policy', async () => {
      const { id } = await offer(await terms());
      const offered = await attestation({ id, terms: await terms(), boundAt: 0n });
      await refused(
        async () => tryClaim(offered, await sign(offered, [o1, o2])),
        'WrongPolicyState',
        [id, POLICY_STATE.Offered],
        id,
      );
      const unknown = { ...offered, policyId: 999n };
      await refused(async () => tryClaim(unknown, await sign(unknown, [o1, o2])), 'UnknownPolicy', [999n]);

      const q = await bound();
      const a = await attestation(q);
      await claim(a, await sign(a, [o1, o2]));
      const second = await attestation(q, { minutesOutside: 400 });
      await refused(
        async () => tryClaim(second, await sign(second, [o1, o3])),
        'WrongPolicyState',
        [q.id, POLICY_STATE.Paid],
        q.id,
      );
      await refused(async () => tryClaim(a, await sign(a, [o1, o2])), 'WrongPolicyState', [q.id, POLICY_STATE.Paid], q.id);
    });

    it('after the claim window (expiresAt + 7 days); an excursion ending after expiresAt', async () => {
      const q = await bound({ expiresAt: (await latest()) + 3600n });
      await warp(3600n + 60n);
      const late = await attestation(q, { endedAt: q.terms.expiresAt + 1n });
      await refused(
        async () => tryClaim(late, await sign(late, [o1, o2])),
        'ExcursionOutsideCover',
        [q.boundAt, q.terms.expiresAt + 1n, q.boundAt, q.terms.expiresAt],
        q.id,
      );
      // inside the window a claim for an excursion within the cover still works (simulated)
      const inTime = await attestation(q);
      assert.equal(inTime.endedAt, q.terms.expiresAt);
      await c.publicClient.simulateContract({
        account: aggregator,
        address: cover,
        abi,
        functionName: 'claim',
        args: [inTime, await sign(inTime, [o1, o2])],
      });
      await warp(W);
      const a = await attestation(q, { deadline: (await latest()) + 3600n });
      await refused(async () => tryClaim(a, await sign(a, [o1, o2])), 'ClaimWindowClosed', [q.id, q.terms.expiresAt + W], q.id);
      await write(aggregator, 'expire', [q.id]);
      await refused(async () => tryClaim(a, await sign(a, [o1, o2])), 'WrongPolicyState', [q.id, POLICY_STATE.Expired], q.id);
    });

    it('oracle member ids above 255 cannot be counted (OrgIdTooLarge)', async () => {
      // MemberRegistry storage: slot 0 AccessControl._roles, 1 _members, 2 _orgOf, 3 _memberCount.
      const count = await c.publicClient.readContract({ address: members, abi: memberRegistryAbi, functionName: 'memberCount' });
      const slot3 = await c.publicClient.getStorageAt({ address: members, slot: numberToHex(3, { size: 32 }) });
      assert.equal(hexToBigInt(slot3 ?? '0x0'), count, 'MemberRegistry storage layout changed');
      await c.testClient.setStorageAt({
        address: members,
        index: numberToHex(3, { size: 32 }),
        value: numberToHex(299, { size: 32 }),
      });
      const big = named('oracle 300');
      await admission('admitMember', [big.address, 'Oracle 300', ROLE.ORACLE]);
      assert.equal(
        await c.publicClient.readContract({
          address: members,
          abi: memberRegistryAbi,
          functionName: 'orgOf',
          args: [big.address],
        }),
        300n,
      );
      const q = await bound();
      const a = await attestation(q);
      await refused(async () => tryClaim(a, await sign(a, [o1, big])), 'OrgIdTooLarge', [300n], q.id);
    });
  });

  // ------------------------------------------------------------------------- expiry

  describe('expire', () => {
    it('an Offered policy after expiresAt (nothing released); not before', async () => {
      const t = await terms({ expiresAt: (await latest()) + 500n });
      const { id } = await offer(t);
      await refused(() => attempt(aggregator, 'expire', [id]), 'TooEarlyToExpire', [id, t.expiresAt], id);
      await warp(600n);
      const r = await write(aggregator, 'expire', [id]);
      assertEvent(abi, r, 'PolicyExpired', { policyId: id, released: 0n });
      console.log(`# gas expire (Offered): ${r.gasUsed}`);
      assert.equal((await policyOf(id)).state, POLICY_STATE.Expired);
      await refused(() => attempt(aggregator, 'expire', [id]), 'WrongPolicyState', [id, POLICY_STATE.Expired], id);
      await refused(() => attempt(holder1, 'bindPolicy', [id]), 'WrongPolicyState', [id, POLICY_STATE.Expired], id);
    });

    it('a Bound policy by anyone after expiresAt + 7 days, releasing the lock; not before', async () => {
      const p = await bound({ expiresAt: (await latest()) + 1000n, sumInsured: usd(250) });
      await refused(() => attempt(aggregator, 'expire', [p.id]), 'TooEarlyToExpire', [p.id, p.terms.expiresAt + W], p.id);
      await warp(1000n + W - 100n);
      await refused(() => attempt(aggregator, 'expire', [p.id]), 'TooEarlyToExpire', [p.id, p.terms.expiresAt + W], p.id);
      await warp(200n);
      const before = await capitalOf(ORG.A);
      const coverBefore = await balanceOf(cover);
      const r = await write(outsider, 'expire', [p.id]);
      assertEvent(abi, r, 'PolicyExpired', { policyId: p.id, released: usd(250) });
      console.log(`# gas expire (Bound): ${r.gasUsed}`);
      assert.deepEqual(await capitalOf(ORG.A), { free: before.free + usd(250), locked: before.locked - usd(250) });
      assert.equal(await balanceOf(cover), coverBefore);
    });

    it('not a Paid, Cancelled or unknown policy', async () => {
      const p = await bound();
      const a = await attestation(p);
      await claim(a, await sign(a, [o1, o2]));
      await refused(() => attempt(aggregator, 'expire', [p.id]), 'WrongPolicyState', [p.id, POLICY_STATE.Paid], p.id);
      const { id } = await offer(await terms());
      await write(insurerA, 'cancelOffer', [id]);
      await refused(() => attempt(aggregator, 'expire', [id]), 'WrongPolicyState', [id, POLICY_STATE.Cancelled], id);
      await refused(() => attempt(aggregator, 'expire', [424_242n]), 'UnknownPolicy', [424_242n]);
    });
  });

  // --------------------------------------------------------------------- governance

  describe('setThreshold', () => {
    it('only ADMISSION_ROLE holders of MemberRegistry; at least 1; applies to policies offered afterwards', async () => {
      await refused(() => attempt(insurerA, 'setThreshold', [3]), 'NotGovernance', [insurerA.address]);
      await refused(() => attempt(o1, 'setThreshold', [1]), 'NotGovernance', [o1.address]);
      await refused(() => attempt(admin, 'setThreshold', [0]), 'InvalidThreshold', [0]);
      const earlier = await bound();
      const r = await write(admin, 'setThreshold', [3]);
      assertEvent(abi, r, 'ThresholdChanged', { previous: 2, threshold: 3 });
      assert.equal(await c.publicClient.readContract({ address: cover, abi, functionName: 'threshold' }), 3);
      // a policy offered before keeps its 2-of-n
      assert.equal((await policyOf(earlier.id)).threshold, 2);
      const e = await attestation(earlier);
      await claim(e, await sign(e, [o1, o2]));
      const p = await bound();
      assert.equal((await policyOf(p.id)).threshold, 3);
      const a = await attestation(p);
      await refused(async () => tryClaim(a, await sign(a, [o1, o2])), 'NotEnoughAttestations', [2n, 3n], p.id);
      const paid = await claim(a, await sign(a, [o3, o1, o2]));
      assertEvent(abi, paid, 'ClaimPaid', {
        policyId: p.id,
        excursionId: a.excursionId,
        amount: usd(200),
        orgBitmap: bit(ORG.O1, ORG.O2, ORG.O3),
      });
      const back = await write(admin, 'setThreshold', [2]);
      assertEvent(abi, back, 'ThresholdChanged', { previous: 3, threshold: 2 });
    });
  });

  // ----------------------------------------------------------------- hostile tokens

  describe('with a hostile token', () => {
    let evil: Address;
    let evilAbi: Abi;
    let evilCover: Address;
    const evilWrite = async (from: Account, functionName: string, args: readonly unknown[]) =>
      mined(c, await c.wallet(from).writeContract({ address: evil, abi: evilAbi, functionName, args } as never));
    before(async () => {
      const compiled = compileTestContract('HostileToken');
      evilAbi = compiled.abi;
      evil = await deploy(c, admin, compiled.abi, compiled.bytecode, []);
      evilCover = await deploy(c, admin, abi, parametricCoverBytecode, [members, anchor, evil, 2]);
      for (const a of [insurerA, holder1]) {
        await evilWrite(admin, 'mint', [a.address, usd(100_000)]);
        await evilWrite(a, 'approve', [evilCover, maxUint256]);
      }
    });

    it('a fee-on-transfer token is refused (TransferShortfall) at deposit and at binding', async () => {
      await evilWrite(admin, 'setFeeBps', [100n]);
      await expectRevert(attemptOn(evilCover, insurerA, 'deposit', [usd(100)]), abi, 'TransferShortfall', [usd(100), usd(99)]);
      await evilWrite(admin, 'setFeeBps', [0n]);
      await writeTo(evilCover, insurerA, 'deposit', [usd(5000)]);
      const { id } = await offer(await terms({ premium: usd(10) }), insurerA, evilCover);
      await evilWrite(admin, 'setFeeBps', [100n]);
      await expectRevert(attemptOn(evilCover, holder1, 'bindPolicy', [id]), abi, 'TransferShortfall', [
        usd(10),
        usd(10) - usd(0.1),
      ]);
      await evilWrite(admin, 'setFeeBps', [0n]);
      assert.deepEqual(await capitalOf(ORG.A, evilCover), { free: usd(5000), locked: 0n });
    });

    it('re-entering through the token is refused (ReentrancyGuardReentrantCall) at deposit, binding and payout', async () => {
      // during the deposit's transferFrom, the token calls withdraw on the cover
      await evilWrite(admin, 'reenterOnce', [evilCover, encodeFunctionData({ abi, functionName: 'withdraw', args: [usd(1)] })]);
      await expectRevert(attemptOn(evilCover, insurerA, 'deposit', [usd(1)]), abi, 'ReentrancyGuardReentrantCall');
      await evilWrite(admin, 'reenterOnce', [zeroAddress, '0x']);

      const t = await terms({ premium: usd(10) });
      const { id } = await offer(t, insurerA, evilCover);
      await evilWrite(admin, 'reenterOnce', [evilCover, encodeFunctionData({ abi, functionName: 'bindPolicy', args: [id] })]);
      await expectRevert(attemptOn(evilCover, holder1, 'bindPolicy', [id]), abi, 'ReentrancyGuardReentrantCall');
      await evilWrite(admin, 'reenterOnce', [zeroAddress, '0x']);
      const b = await bind(id, holder1, evilCover);
      const p: Bound = { id, terms: t, boundAt: await blockTime(c, b) };

      const a = await attestation(p);
      const sigs = await sign(a, [o1, o2], evilCover);
      await evilWrite(admin, 'reenterOnce', [evilCover, encodeFunctionData({ abi, functionName: 'expire', args: [id] })]);
      // expire is not nonReentrant, but it sees the policy already Paid (effects before the transfer)
      await expectRevert(attemptOn(evilCover, aggregator, 'claim', [a, sigs]), abi, 'WrongPolicyState', [id, POLICY_STATE.Paid]);
      await evilWrite(admin, 'reenterOnce', [evilCover, encodeFunctionData({ abi, functionName: 'claim', args: [a, sigs] })]);
      await expectRevert(attemptOn(evilCover, aggregator, 'claim', [a, sigs]), abi, 'ReentrancyGuardReentrantCall');
      await evilWrite(admin, 'reenterOnce', [zeroAddress, '0x']);
      await writeTo(evilCover, aggregator, 'claim', [a, sigs]);
      assert.equal((await policyOf(id, evilCover)).state, POLICY_STATE.Paid);
    });
  });

  // -------------------------------------------------------------------------- gas

  describe('gas', () => {
    it('per bound policy and per paid claim (2-of-3 and 3-of-3)', async () => {
      await write(insurerA, 'deposit', [usd(10_000)]);
      const gas: Record<string, bigint> = {};
      const t1 = await terms();
      const { id: id1, receipt: offered } = await offer(t1);
      gas.offerPolicy = offered.gasUsed;
      const b1 = await bind(id1, holder1);
      gas.bindPolicy = b1.gasUsed;
      const p1: Bound = { id: id1, terms: t1, boundAt: await blockTime(c, b1) };
      const a1 = await attestation(p1);
      gas['claim 2-of-3'] = (await claim(a1, await sign(a1, [o1, o2]))).gasUsed;
      const p2 = await bound();
      const a2 = await attestation(p2);
      gas['claim 3-of-3'] = (await claim(a2, await sign(a2, [o1, o2, o3]))).gasUsed;
      console.log(
        `# gas ${Object.entries(gas)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
      assert.ok(gas.bindPolicy! < 70_000n, `bindPolicy ${gas.bindPolicy}`);
      assert.ok(gas['claim 2-of-3']! < 140_000n, `claim 2-of-3 ${gas['claim 2-of-3']}`);
      assert.ok(gas['claim 3-of-3']! < 155_000n, `claim 3-of-3 ${gas['claim 3-of-3']}`);
    });
  });

  // ----------------------------------------------------------- properties (seeded)

  describe('invariants under a seeded random sequence of operations', () => {
    const SEED = Number(process.env.COVER_SEED ?? 20_260_601);
    const STEPS = 100;
    const rnd = prng(SEED);
    let inv: Address; // a fresh cover: its capital is exactly insurers A and B
    const insurers = [
      { org: ORG.A, acct: insurerA },
      { org: ORG.B, acct: insurerB },
    ] as const;
    const holders = [holder1, holder2, holder3] as const;
    interface ModelPolicy {
      id: bigint;
      org: bigint;
      insurer: PrivateKeyAccount;
      holder: PrivateKeyAccount;
      t: Terms;
      state: number;
      boundAt: bigint;
      paid?: bigint;
    }
    const cap = new Map<bigint, { free: bigint; locked: bigint }>([
      [ORG.A, { free: 0n, locked: 0n }],
      [ORG.B, { free: 0n, locked: 0n }],
    ]);
    const capOf = (org: bigint) => {
      const v = cap.get(org);
      if (!v) throw new Error(`no capital for ${org}`);
      return v;
    };
    const policies: ModelPolicy[] = [];
    const usedNonces: bigint[] = [];
    const ops: Record<string, number> = {};
    const count = (name: string) => {
      ops[name] = (ops[name] ?? 0) + 1;
    };
    const on = (from: Account, functionName: CoverWrite, args: readonly unknown[]) => writeTo(inv, from, functionName, args);
    const tryOn = (from: Account, functionName: CoverWrite, args: readonly unknown[]) => attemptOn(inv, from, functionName, args);

    /** Warps past any time boundary that is within a few seconds, so expectations are exact. */
    const settle = async (boundaries: bigint[]): Promise<bigint> => {
      for (;;) {
        const t = await latest();
        if (!boundaries.some((b) => b + 3n >= t && b <= t + 15n)) return t;
        await warp(20n);
      }
    };

    const checkInvariants = async (step: number, touched?: ModelPolicy) => {
      const where = `step ${step} (seed ${SEED})`;
      const [bal, a, b] = await Promise.all([balanceOf(inv), capitalOf(ORG.A, inv), capitalOf(ORG.B, inv)]);
      assert.equal(bal, a.free + a.locked + b.free + b.locked, `${where}: balance != Σ free + Σ locked`);
      assert.deepEqual(a, capOf(ORG.A), `${where}: capital A`);
      assert.deepEqual(b, capOf(ORG.B), `${where}: capital B`);
      const lockedByPolicies = (org: bigint) =>
        policies.filter((p) => p.org === org && p.state === POLICY_STATE.Bound).reduce((s, p) => s + p.t.sumInsured, 0n);
      assert.equal(a.locked, lockedByPolicies(ORG.A), `${where}: A locked == Σ bound sums`);
      assert.equal(b.locked, lockedByPolicies(ORG.B), `${where}: B locked == Σ bound sums`);
      if (touched) {
        const onChain = await policyOf(touched.id, inv);
        assert.equal(onChain.state, touched.state, `${where}: state of policy ${touched.id}`);
        assert.equal(onChain.boundAt, touched.boundAt, `${where}: boundAt of policy ${touched.id}`);
      }
      // Collateral is never locked for ever: every Bound policy can be expired once its window
      // has passed (eth_call with the block time overridden), every Offered one after expiresAt.
      await Promise.all(
        policies
          .filter((p) => p.state === POLICY_STATE.Bound || p.state === POLICY_STATE.Offered)
          .map((p) =>
            c.publicClient.call({
              account: aggregator,
              to: inv,
              data: encodeFunctionData({ abi, functionName: 'expire', args: [p.id] }),
              blockOverrides: { time: p.t.expiresAt + (p.state === POLICY_STATE.Bound ? W : 0n) + 1n },
            }),
          ),
      );
    };

    const pickPolicy = (states: number[]) => {
      const xs = policies.filter((p) => states.includes(p.state));
      return xs.length > 0 ? rnd.pick(xs) : undefined;
    };
    const oraclesFor = () => {
      const all = [o1, o2, o3];
      const n = rnd.int(2, 3);
      const out: PrivateKeyAccount[] = [];
      while (out.length < n) {
        const o = rnd.pick(all);
        if (!out.includes(o)) out.push(o);
      }
      return out;
    };
    const attestFor = async (p: ModelPolicy, minutesOutside: number, t: bigint): Promise<att.ExcursionAttestation> => ({
      policyId: p.id,
      excursionId: hash(`inv excursion ${++excursions}`),
      startedAt: p.boundAt,
      endedAt: t < p.t.expiresAt ? t : p.t.expiresAt,
      minutesOutside,
      peakCentiC: rnd.next() < 0.5 ? p.t.maxCentiC + rnd.int(1, 900) : p.t.minCentiC - rnd.int(1, 900),
      logPublisher: publisher.address,
      logSize: head.logSize,
      logRoot: head.logRoot,
      nonce: att.randomNonce(),
      deadline: t + 3600n,
    });

    /** One random operation; returns its name, or undefined when it did not apply. */
    const step = async (): Promise<{ name: string; touched?: ModelPolicy } | undefined> => {
      const r = rnd.next();
      const ins = rnd.pick(insurers);
      if (r < 0.12) {
        const amount = usd(rnd.int(100, 3000));
        await on(ins.acct, 'deposit', [amount]);
        capOf(ins.org).free += amount;
        return { name: 'deposit' };
      }
      if (r < 0.2) {
        const c0 = capOf(ins.org);
        if (c0.free > 0n && rnd.next() < 0.6) {
          const amount = (BigInt(rnd.int(1, 1_000_000)) * c0.free) / 1_000_000n || 1n;
          await on(ins.acct, 'withdraw', [amount]);
          c0.free -= amount;
          return { name: 'withdraw' };
        }
        const amount = c0.free + BigInt(rnd.int(1, 1_000_000_000));
        await expectRevert(tryOn(ins.acct, 'withdraw', [amount]), abi, 'Underfunded', [c0.free, amount]);
        return { name: 'withdraw beyond free (refused)' };
      }
      if (r < 0.34) {
        const t0 = await latest();
        const tolerance = rnd.int(0, 90);
        const t: Terms = {
          holder: rnd.pick(holders).address,
          shipmentId: hash(`inv shipment ${++shipments}`),
          premium: usd(rnd.int(0, 50)),
          sumInsured: usd(rnd.int(100, 2500)),
          minCentiC: rnd.int(-2500, 200),
          maxCentiC: rnd.int(300, 1500),
          toleranceMinutes: tolerance,
          catastrophicMinutes: tolerance + rnd.int(1, 600),
          payoutPerHourBps: rnd.next() < 0.1 ? 0 : rnd.int(1, 10_000),
          expiresAt: t0 + BigInt(rnd.int(3600, 4 * 86_400)),
          logPublisher: publisher.address,
        };
        const { id } = await offer(t, ins.acct, inv);
        const holder = holders.find((h) => h.address === t.holder)!;
        const p: ModelPolicy = { id, org: ins.org, insurer: ins.acct, holder, t, state: POLICY_STATE.Offered, boundAt: 0n };
        policies.push(p);
        return { name: 'offer', touched: p };
      }
      if (r < 0.52) {
        const t0 = await latest();
        const live = policies.filter((q) => q.state === POLICY_STATE.Offered && q.t.expiresAt > t0 + 60n);
        const p = live.length > 0 && rnd.next() < 0.8 ? rnd.pick(live) : pickPolicy([POLICY_STATE.Offered]);
        if (!p) return undefined;
        const t = await settle([p.t.expiresAt]);
        const c0 = capOf(p.org);
        if (t >= p.t.expiresAt) {
          await expectRevert(tryOn(p.holder, 'bindPolicy', [p.id]), abi, 'OfferExpired', [p.id, p.t.expiresAt]);
          return { name: 'bind expired offer (refused)', touched: p };
        }
        if (c0.free < p.t.sumInsured) {
          await expectRevert(tryOn(p.holder, 'bindPolicy', [p.id]), abi, 'Underfunded', [c0.free, p.t.sumInsured]);
          return { name: 'bind underfunded (refused)', touched: p };
        }
        const holderBefore = await balanceOf(p.holder.address);
        const receipt = await bind(p.id, p.holder, inv);
        assert.equal(await balanceOf(p.holder.address), holderBefore - p.t.premium);
        p.state = POLICY_STATE.Bound;
        p.boundAt = await blockTime(c, receipt);
        c0.free = c0.free - p.t.sumInsured + p.t.premium;
        c0.locked += p.t.sumInsured;
        return { name: 'bind', touched: p };
      }
      if (r < 0.7) {
        const p = pickPolicy([POLICY_STATE.Bound]);
        if (!p) return undefined;
        const t = await settle([p.t.expiresAt + W]);
        const m = rnd.int(0, p.t.catastrophicMinutes + 60);
        const a = await attestFor(p, m, t);
        const sigs = await sign(a, oraclesFor(), inv);
        if (t > p.t.expiresAt + W) {
          await expectRevert(tryOn(aggregator, 'claim', [a, sigs]), abi, 'ClaimWindowClosed', [p.id, p.t.expiresAt + W]);
          return { name: 'claim after window (refused)', touched: p };
        }
        if (m <= p.t.toleranceMinutes) {
          await expectRevert(tryOn(aggregator, 'claim', [a, sigs]), abi, 'BelowTolerance', [m, p.t.toleranceMinutes]);
          return { name: 'claim below tolerance (refused)', touched: p };
        }
        const due = computePayout(p.t, m);
        if (due === 0n) {
          await expectRevert(tryOn(aggregator, 'claim', [a, sigs]), abi, 'NoPayoutDue', [p.id, m]);
          return { name: 'claim with nothing due (refused)', touched: p };
        }
        const holderBefore = await balanceOf(p.holder.address);
        const receipt = await on(aggregator, 'claim', [a, sigs]);
        const [ev] = eventsOf(abi, receipt, 'ClaimPaid');
        const amount = (ev?.args as { amount: bigint } | undefined)?.amount;
        assert.equal(amount, due, `payout of policy ${p.id}`);
        assert.ok(due <= p.t.sumInsured, 'payout ≤ sumInsured');
        assert.equal(p.paid, undefined, `policy ${p.id} paid twice`);
        assert.equal(await balanceOf(p.holder.address), holderBefore + due);
        p.paid = due;
        p.state = POLICY_STATE.Paid;
        const c0 = capOf(p.org);
        c0.locked -= p.t.sumInsured;
        c0.free += p.t.sumInsured - due;
        usedNonces.push(a.nonce);
        return { name: 'claim', touched: p };
      }
      if (r < 0.82) {
        // an invalid claim on a claimable policy (or on one that is not Bound)
        const kinds = [
          'non-oracle',
          'duplicate org',
          'too few',
          'other contract',
          'reused nonce',
          'unanchored',
          'high s',
          'not bound',
        ] as const;
        const kind = rnd.pick(kinds);
        if (kind === 'not bound') {
          const p = pickPolicy([POLICY_STATE.Offered, POLICY_STATE.Paid, POLICY_STATE.Expired, POLICY_STATE.Cancelled]);
          if (!p) return undefined;
          const a = await attestFor(p, p.t.catastrophicMinutes, await latest());
          await expectRevert(tryOn(aggregator, 'claim', [a, await sign(a, [o1, o2], inv)]), abi, 'WrongPolicyState', [
            p.id,
            p.state,
          ]);
          return { name: `invalid claim: ${kind}`, touched: p };
        }
        const p = pickPolicy([POLICY_STATE.Bound]);
        if (!p) return undefined;
        const t = await settle([p.t.expiresAt + W]);
        if (t > p.t.expiresAt + W) return undefined;
        if (kind === 'reused nonce' && usedNonces.length === 0) return undefined;
        const a = await attestFor(p, p.t.catastrophicMinutes, t);
        if (kind === 'reused nonce') a.nonce = rnd.pick(usedNonces);
        if (kind === 'unanchored') a.logRoot = hash(`not anchored ${a.excursionId}`);
        const [s1, s2] = await sign(a, [o1, o2], inv);
        const expected: Record<(typeof kinds)[number], () => Promise<[readonly Hex[], string, readonly unknown[]]>> = {
          'non-oracle': async () => [
            [s1!, await att.signAttestation(publisher, chainId, inv, a)],
            'NotAnOracle',
            [publisher.address],
          ],
          'duplicate org': async () => [[s1!, await att.signAttestation(o1b, chainId, inv, a)], 'DuplicateOrg', [ORG.O1]],
          'too few': async () => [[s2!], 'NotEnoughAttestations', [1n, 2n]],
          'other contract': async () => {
            const foreign = await att.signAttestation(o3, chainId, cover, a);
            return [[s1!, foreign], 'NotAnOracle', [await att.recoverAttestationSigner(chainId, inv, a, foreign)]];
          },
          'reused nonce': async () => [[s1!, s2!], 'NonceUsed', [a.nonce]],
          unanchored: async () => [[s1!, s2!], 'EvidenceNotAnchored', [publisher.address, a.logSize, a.logRoot]],
          'high s': async () => {
            const twin = highS(s2!);
            return [[s1!, twin.sig], 'ECDSAInvalidSignatureS', [twin.s]];
          },
          'not bound': () => Promise.reject(new Error('unreachable')),
        };
        const [sigs, errorName, args] = await expected[kind]();
        await expectRevert(tryOn(aggregator, 'claim', [a, sigs]), abi, errorName, args);
        return { name: `invalid claim: ${kind}`, touched: p };
      }
      if (r < 0.9) {
        const p = policies.length > 0 ? rnd.pick(policies) : undefined;
        if (!p) return undefined;
        const after = p.state === POLICY_STATE.Bound ? p.t.expiresAt + W : p.t.expiresAt;
        const t = await settle([after]);
        if (p.state !== POLICY_STATE.Offered && p.state !== POLICY_STATE.Bound) {
          await expectRevert(tryOn(aggregator, 'expire', [p.id]), abi, 'WrongPolicyState', [p.id, p.state]);
          return { name: 'expire a closed policy (refused)', touched: p };
        }
        if (t <= after) {
          await expectRevert(tryOn(aggregator, 'expire', [p.id]), abi, 'TooEarlyToExpire', [p.id, after]);
          return { name: 'expire too early (refused)', touched: p };
        }
        const receipt = await on(aggregator, 'expire', [p.id]);
        const released = p.state === POLICY_STATE.Bound ? p.t.sumInsured : 0n;
        assertEvent(abi, receipt, 'PolicyExpired', { policyId: p.id, released });
        const c0 = capOf(p.org);
        c0.locked -= released;
        c0.free += released;
        p.state = POLICY_STATE.Expired;
        return { name: 'expire', touched: p };
      }
      if (r < 0.92) {
        const p = pickPolicy([POLICY_STATE.Offered]);
        if (!p) return undefined;
        await on(p.insurer, 'cancelOffer', [p.id]);
        p.state = POLICY_STATE.Cancelled;
        return { name: 'cancel offer', touched: p };
      }
      await warp(BigInt(rnd.int(600, 2 * 86_400)));
      return { name: 'time passes' };
    };

    before(async () => {
      inv = await deploy(c, admin, abi, parametricCoverBytecode, [members, anchor, token, 2]);
      for (const a of [insurerA, insurerB, ...holders]) await tokenWrite(a, 'approve', [inv, maxUint256]);
    });

    it(`keeps balance == Σ free + Σ locked, pays each policy at most once and at most its sum, never locks collateral for ever (≥ 60 operations)`, async () => {
      let executed = 0;
      for (let guard = 0; executed < STEPS && guard < STEPS * 4; guard++) {
        const done = await step();
        if (!done) continue;
        executed++;
        count(done.name);
        await checkInvariants(executed, done.touched);
      }
      assert.ok(executed >= 60, `only ${executed} operations ran`);
      console.log(
        `# invariants: seed ${SEED}, ${executed} operations: ${Object.entries(ops)
          .map(([k, v]) => `${k} ×${v}`)
          .join(', ')}`,
      );

      // Afterwards everything can be unwound: expire what is open, withdraw all free capital.
      // biome-ignore lint/complexity/useMathMinMax: bigint
      const last = policies.reduce((m, p) => (p.t.expiresAt > m ? p.t.expiresAt : m), 0n);
      const now = await latest();
      if (last + W >= now) await warp(last + W + 1n - now);
      for (const p of policies.filter((q) => q.state === POLICY_STATE.Offered || q.state === POLICY_STATE.Bound)) {
        await on(outsider, 'expire', [p.id]);
        const c0 = capOf(p.org);
        if (p.state === POLICY_STATE.Bound) {
          c0.locked -= p.t.sumInsured;
          c0.free += p.t.sumInsured;
        }
        p.state = POLICY_STATE.Expired;
      }
      await checkInvariants(executed + 1);
      for (const { org, acct } of insurers) {
        const { free, locked } = await capitalOf(org, inv);
        assert.equal(locked, 0n);
        if (free > 0n) await on(acct, 'withdraw', [free]);
      }
      assert.equal(await balanceOf(inv), 0n);

      // From the chain's own record: at most one ClaimPaid per policy, each ≤ its sum insured.
      const paid = await c.publicClient.getContractEvents({ address: inv, abi, eventName: 'ClaimPaid', fromBlock: 0n });
      const seen = new Set<bigint>();
      for (const l of paid) {
        const { policyId, amount } = l.args as { policyId: bigint; amount: bigint };
        assert.ok(!seen.has(policyId), `policy ${policyId} paid twice`);
        seen.add(policyId);
        const p = policies.find((q) => q.id === policyId);
        assert.ok(p && amount <= p.t.sumInsured && amount === p.paid);
      }
      assert.equal(seen.size, policies.filter((p) => p.paid !== undefined).length);
    });
  });
});
