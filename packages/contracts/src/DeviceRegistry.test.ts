import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  bytesToHex,
  concat,
  keccak256,
  parseEther,
  toBytes,
  zeroAddress,
  zeroHash,
  type Account,
  type Address,
  type Hex,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { fundAccount, startDevChain, type DevChain } from './devchain.js';
import { deviceRegistryAbi, deviceRegistryBytecode, memberRegistryAbi } from './generated/index.js';
import {
  account,
  assertEvent,
  blockTime,
  clientsFor,
  deploy,
  deployAll,
  expectRevert,
  mined,
  ROLE,
  type Clients,
} from './test-support.js';

const deviceId = (name: string): Hex => keccak256(toBytes(name)); // keccak256(utf8(deviceId)), per docs/design.md
const rand = (n: number): Hex => bytesToHex(randomBytes(n));
const p256Key = (): Hex => concat(['0x04', rand(64)]);
const ed25519Key = (): Hex => rand(32);
const P256 = 1;
const ED25519 = 2;
const DEVICE_OWNER = 128n;

interface Device {
  ownerOrg: bigint;
  keyType: number;
  publicKey: Hex;
  metadataHash: Hex;
  registeredAt: bigint;
  revokedAt: bigint;
}

describe('DeviceRegistry', () => {
  let chain: DevChain;
  let c: Clients;
  let members: Address;
  let devices: Address;
  const admin = account(0);
  const a1 = account(1); // org 1: CARRIER | DEVICE_OWNER
  const a2 = account(2); // org 1, second account
  const b1 = account(3); // org 2: DEVICE_OWNER
  const s1 = account(4); // org 3: SHIPPER only
  let outsider: Account;
  let counter = 0;
  const newId = () => deviceId(`dev-${++counter}:${Date.now()}`);

  const tryRegister = (from: Account, id: Hex, keyType: number, key: Hex, meta: Hex = zeroHash) =>
    c.wallet(from).writeContract({
      address: devices,
      abi: deviceRegistryAbi,
      functionName: 'registerDevice',
      args: [id, keyType, key, meta],
    });
  const register = async (from: Account, id: Hex, keyType: number, key: Hex, meta: Hex = zeroHash) =>
    mined(c, await tryRegister(from, id, keyType, key, meta));
  const tryRevoke = (from: Account, id: Hex, effectiveAt: bigint) =>
    c
      .wallet(from)
      .writeContract({ address: devices, abi: deviceRegistryAbi, functionName: 'revokeDevice', args: [id, effectiveAt] });
  const revoke = async (from: Account, id: Hex, effectiveAt: bigint) => mined(c, await tryRevoke(from, id, effectiveAt));
  const device = (id: Hex) =>
    c.publicClient.readContract({
      address: devices,
      abi: deviceRegistryAbi,
      functionName: 'device',
      args: [id],
    }) as Promise<Device>;
  const activeAt = (id: Hex, t: bigint) =>
    c.publicClient.readContract({ address: devices, abi: deviceRegistryAbi, functionName: 'isActiveAt', args: [id, t] });
  const deviceCount = () =>
    c.publicClient.readContract({ address: devices, abi: deviceRegistryAbi, functionName: 'deviceCount' });
  const admission = async (
    functionName: 'admitMember' | 'addAccount' | 'removeAccount' | 'setActive',
    args: readonly unknown[],
  ) => mined(c, await c.wallet(admin).writeContract({ address: members, abi: memberRegistryAbi, functionName, args } as never));
  const latestTime = async () => (await c.publicClient.getBlock()).timestamp;

  before(async () => {
    chain = await startDevChain();
    c = clientsFor(chain);
    const d = await deployAll(c, admin);
    members = d.memberRegistry;
    devices = d.deviceRegistry;
    outsider = privateKeyToAccount(generatePrivateKey());
    await fundAccount(chain.rpcUrl, outsider.address, parseEther('1'));
    await admission('admitMember', [a1.address, 'Carrier A', ROLE.CARRIER | ROLE.DEVICE_OWNER]);
    await admission('addAccount', [1n, a2.address]);
    await admission('admitMember', [b1.address, 'Owner B', ROLE.DEVICE_OWNER]);
    await admission('admitMember', [s1.address, 'Shipper S', ROLE.SHIPPER]);
  });
  after(async () => {
    await chain?.stop();
  });

  describe('deployment', () => {
    it('rejects a zero MemberRegistry address', async () => {
      await expectRevert(
        deploy(c, admin, deviceRegistryAbi, deviceRegistryBytecode, [zeroAddress]),
        deviceRegistryAbi,
        'ZeroAddress',
      );
    });
    it('exposes its member registry and starts empty', async () => {
      assert.equal(
        await c.publicClient.readContract({ address: devices, abi: deviceRegistryAbi, functionName: 'members' }),
        members,
      );
      assert.equal(await deviceCount(), 0n);
    });
  });

  describe('registerDevice', () => {
    it('registers a P-256 key, stores and emits it', async () => {
      const id = deviceId('truck-17:temp');
      const key = p256Key();
      const meta = rand(32);
      const receipt = await register(a1, id, P256, key, meta);
      const t = await blockTime(c, receipt);
      assertEvent(deviceRegistryAbi, receipt, 'DeviceRegistered', {
        deviceId: id,
        ownerOrg: 1n,
        keyType: P256,
        publicKey: key,
        metadataHash: meta,
        registeredAt: t,
      });
      assert.deepEqual(await device(id), {
        ownerOrg: 1n,
        keyType: P256,
        publicKey: key,
        metadataHash: meta,
        registeredAt: t,
        revokedAt: 0n,
      });
      assert.equal(await deviceCount(), 1n);
      console.log(`# gas registerDevice (P-256): ${receipt.gasUsed}`);
    });
    it('registers an Ed25519 key from another account of the same org', async () => {
      const id = deviceId('reefer-3:rh');
      const key = ed25519Key();
      const receipt = await register(a2, id, ED25519, key);
      assertEvent(deviceRegistryAbi, receipt, 'DeviceRegistered', {
        deviceId: id,
        ownerOrg: 1n,
        keyType: ED25519,
        publicKey: key,
        metadataHash: zeroHash,
        registeredAt: await blockTime(c, receipt),
      });
      assert.equal((await device(id)).ownerOrg, 1n);
      assert.equal(await deviceCount(), 2n);
      console.log(`# gas registerDevice (Ed25519): ${receipt.gasUsed}`);
    });
    it('records the registering org', async () => {
      const id = newId();
      await register(b1, id, ED25519, ed25519Key());
      assert.equal((await device(id)).ownerOrg, 2n);
    });
    it('rejects non-members', async () => {
      await expectRevert(tryRegister(outsider, newId(), ED25519, ed25519Key()), deviceRegistryAbi, 'NotAMember', [
        outsider.address,
      ]);
    });
    it('rejects members without DEVICE_OWNER', async () => {
      await expectRevert(tryRegister(s1, newId(), ED25519, ed25519Key()), deviceRegistryAbi, 'MissingRole', [
        s1.address,
        DEVICE_OWNER,
      ]);
    });
    it('rejects accounts of a suspended member, and accepts them once reactivated', async () => {
      await admission('setActive', [2n, false]);
      const id = newId();
      await expectRevert(tryRegister(b1, id, ED25519, ed25519Key()), deviceRegistryAbi, 'NotAMember', [b1.address]);
      await admission('setActive', [2n, true]);
      await register(b1, id, ED25519, ed25519Key());
    });
    it('rejects an id that is already registered, by any org', async () => {
      const id = deviceId('truck-17:temp');
      await expectRevert(tryRegister(a1, id, P256, p256Key()), deviceRegistryAbi, 'DeviceExists', [id]);
      await expectRevert(tryRegister(b1, id, ED25519, ed25519Key()), deviceRegistryAbi, 'DeviceExists', [id]);
    });
    it('rejects unknown key types', async () => {
      await expectRevert(tryRegister(a1, newId(), 0, ed25519Key()), deviceRegistryAbi, 'BadKeyType', [0]);
      await expectRevert(tryRegister(a1, newId(), 3, p256Key()), deviceRegistryAbi, 'BadKeyType', [3]);
      await expectRevert(tryRegister(a1, newId(), 255, ed25519Key()), deviceRegistryAbi, 'BadKeyType', [255]);
    });
    it('rejects P-256 keys that are not 65 bytes starting 0x04', async () => {
      await expectRevert(tryRegister(a1, newId(), P256, rand(64)), deviceRegistryAbi, 'BadPublicKey', [P256, 64n]);
      await expectRevert(tryRegister(a1, newId(), P256, concat(['0x02', rand(64)])), deviceRegistryAbi, 'BadPublicKey', [
        P256,
        65n,
      ]);
      await expectRevert(tryRegister(a1, newId(), P256, concat(['0x02', rand(32)])), deviceRegistryAbi, 'BadPublicKey', [
        P256,
        33n,
      ]);
      await expectRevert(tryRegister(a1, newId(), P256, concat([p256Key(), '0x00'])), deviceRegistryAbi, 'BadPublicKey', [
        P256,
        66n,
      ]);
      await expectRevert(tryRegister(a1, newId(), P256, ed25519Key()), deviceRegistryAbi, 'BadPublicKey', [P256, 32n]);
    });
    it('rejects Ed25519 keys that are not 32 bytes', async () => {
      await expectRevert(tryRegister(a1, newId(), ED25519, rand(33)), deviceRegistryAbi, 'BadPublicKey', [ED25519, 33n]);
      await expectRevert(tryRegister(a1, newId(), ED25519, rand(31)), deviceRegistryAbi, 'BadPublicKey', [ED25519, 31n]);
      await expectRevert(tryRegister(a1, newId(), ED25519, '0x'), deviceRegistryAbi, 'BadPublicKey', [ED25519, 0n]);
      await expectRevert(tryRegister(a1, newId(), ED25519, p256Key()), deviceRegistryAbi, 'BadPublicKey', [ED25519, 65n]);
    });
  });

  describe('revokeDevice', () => {
    it('revokes now (effectiveAt 0) by another account of the owner org', async () => {
      const id = newId();
      const reg = await register(a1, id, ED25519, ed25519Key());
      const registeredAt = await blockTime(c, reg);
      await c.testClient.increaseTime({ seconds: 60 });
      const receipt = await revoke(a2, id, 0n);
      const now = await blockTime(c, receipt);
      assert.ok(now >= registeredAt + 60n);
      assertEvent(deviceRegistryAbi, receipt, 'DeviceRevoked', { deviceId: id, ownerOrg: 1n, effectiveAt: now });
      assert.equal((await device(id)).revokedAt, now);
      assert.equal(await activeAt(id, now - 1n), true);
      assert.equal(await activeAt(id, now), false);
      assert.equal(await activeAt(id, now + 1_000_000n), false);
      console.log(`# gas revokeDevice: ${receipt.gasUsed}`);
    });
    it('may be back-dated (e.g. to a key compromise) and isActiveAt follows it', async () => {
      const id = newId();
      const reg = await register(b1, id, P256, p256Key());
      const t0 = await blockTime(c, reg);
      await c.testClient.increaseTime({ seconds: 3600 });
      const receipt = await revoke(b1, id, t0 + 100n);
      assertEvent(deviceRegistryAbi, receipt, 'DeviceRevoked', { deviceId: id, ownerOrg: 2n, effectiveAt: t0 + 100n });
      assert.ok((await blockTime(c, receipt)) > t0 + 100n, 'revoked after the effective time');
      const d = await device(id);
      assert.equal(d.registeredAt, t0);
      assert.equal(d.revokedAt, t0 + 100n);
      assert.equal(await activeAt(id, t0 - 1n), false, 'not active before registration');
      assert.equal(await activeAt(id, t0), true);
      assert.equal(await activeAt(id, t0 + 99n), true);
      assert.equal(await activeAt(id, t0 + 100n), false);
      assert.equal(await activeAt(id, await latestTime()), false);
    });
    it('may be back-dated to the registration time exactly (never active afterwards)', async () => {
      const id = newId();
      const t0 = await blockTime(c, await register(a1, id, ED25519, ed25519Key()));
      await c.testClient.increaseTime({ seconds: 10 });
      await revoke(a1, id, t0);
      assert.equal(await activeAt(id, t0), false);
      assert.equal(await activeAt(id, t0 - 1n), false);
    });
    it('rejects a revocation before registration', async () => {
      const id = newId();
      const t0 = await blockTime(c, await register(a1, id, ED25519, ed25519Key()));
      await c.testClient.increaseTime({ seconds: 10 });
      await expectRevert(tryRevoke(a1, id, t0 - 1n), deviceRegistryAbi, 'RevocationBeforeRegistration', [t0 - 1n, t0]);
      await expectRevert(tryRevoke(a1, id, 1n), deviceRegistryAbi, 'RevocationBeforeRegistration', [1n, t0]);
      assert.equal((await device(id)).revokedAt, 0n);
    });
    it('rejects a revocation dated in the future', async () => {
      const id = newId();
      const t0 = await blockTime(c, await register(a1, id, ED25519, ed25519Key()));
      const future = t0 + 86_400n;
      const [given, now] = await expectRevert(tryRevoke(a1, id, future), deviceRegistryAbi, 'RevocationInFuture', null);
      assert.equal(given, future);
      assert.ok(typeof now === 'bigint' && now >= t0 && now < future, `now ${String(now)}`);
      assert.equal(await activeAt(id, future), true);
    });
    it('rejects a second revocation, even an earlier one', async () => {
      const id = newId();
      const t0 = await blockTime(c, await register(a1, id, ED25519, ed25519Key()));
      await c.testClient.increaseTime({ seconds: 100 });
      await revoke(a1, id, t0 + 50n);
      await expectRevert(tryRevoke(a1, id, 0n), deviceRegistryAbi, 'AlreadyRevoked', [id, t0 + 50n]);
      await expectRevert(tryRevoke(a1, id, t0 + 10n), deviceRegistryAbi, 'AlreadyRevoked', [id, t0 + 50n]);
    });
    it('rejects unknown devices', async () => {
      const id = deviceId('never-registered');
      await expectRevert(tryRevoke(a1, id, 0n), deviceRegistryAbi, 'UnknownDevice', [id]);
    });
    it("rejects another org's account, a non-member and a removed account", async () => {
      const id = newId();
      await register(a1, id, ED25519, ed25519Key());
      await expectRevert(tryRevoke(b1, id, 0n), deviceRegistryAbi, 'NotDeviceOwner', [b1.address, id]);
      await expectRevert(tryRevoke(outsider, id, 0n), deviceRegistryAbi, 'NotDeviceOwner', [outsider.address, id]);
      await expectRevert(tryRevoke(s1, id, 0n), deviceRegistryAbi, 'NotDeviceOwner', [s1.address, id]);
      const leaver = privateKeyToAccount(generatePrivateKey());
      await fundAccount(chain.rpcUrl, leaver.address, parseEther('1'));
      await admission('addAccount', [1n, leaver.address]);
      await admission('removeAccount', [leaver.address]);
      await expectRevert(tryRevoke(leaver, id, 0n), deviceRegistryAbi, 'NotDeviceOwner', [leaver.address, id]);
      assert.equal((await device(id)).revokedAt, 0n);
    });
    it('still lets a suspended owner org revoke its devices', async () => {
      const id = newId();
      await register(b1, id, ED25519, ed25519Key());
      await admission('setActive', [2n, false]);
      try {
        const receipt = await revoke(b1, id, 0n);
        assertEvent(deviceRegistryAbi, receipt, 'DeviceRevoked', {
          deviceId: id,
          ownerOrg: 2n,
          effectiveAt: await blockTime(c, receipt),
        });
      } finally {
        await admission('setActive', [2n, true]);
      }
    });
    it('keeps a revoked id registered: it cannot be registered again', async () => {
      const id = newId();
      await register(a1, id, ED25519, ed25519Key());
      await revoke(a1, id, 0n);
      await expectRevert(tryRegister(a1, id, ED25519, ed25519Key()), deviceRegistryAbi, 'DeviceExists', [id]);
    });
  });

  describe('views', () => {
    it('device() is all zero and isActiveAt false for unknown devices', async () => {
      const id = deviceId('unknown');
      assert.deepEqual(await device(id), {
        ownerOrg: 0n,
        keyType: 0,
        publicKey: '0x',
        metadataHash: zeroHash,
        registeredAt: 0n,
        revokedAt: 0n,
      });
      assert.equal(await activeAt(id, 0n), false);
      assert.equal(await activeAt(id, await latestTime()), false);
    });
    it('isActiveAt is true from registration on for a device never revoked', async () => {
      const id = deviceId('truck-17:temp');
      const d = await device(id);
      assert.equal(await activeAt(id, d.registeredAt - 1n), false);
      assert.equal(await activeAt(id, d.registeredAt), true);
      assert.equal(await activeAt(id, 2n ** 64n - 1n), true);
    });
    it('deviceCount counts every registration, revoked ones included', async () => {
      const before = await deviceCount();
      const id = newId();
      await register(a1, id, ED25519, ed25519Key());
      await revoke(a1, id, 0n);
      assert.equal(await deviceCount(), before + 1n);
    });
  });
});
