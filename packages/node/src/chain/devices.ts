// DeviceRegistry: register and revoke the node organisation's devices, read a
// device's key and status, and keep ingest's device directory in step with
// the chain.
//
// The directory serves ingest from memory (seeded from the store). Two paths
// bring chain changes in:
//  - lookup(id) reads the registry for a device ingest does not know yet (a
//    device of another member, or registered elsewhere) and stores it;
//  - sync() reads DeviceRegistered/DeviceRevoked events since a block cursor
//    (store setting `chain.devices.cursor`), so a revocation, back-dated or
//    not, reaches ingest within one poll interval. MemberRemoved events of
//    MemberRegistry (admission by vote) come in the same pass: a removed
//    member's devices count as revoked from its removal time on (the rule
//    DeviceRegistry applies too), so ingest refuses their later readings while
//    evidence they signed before still verifies.
// Events carry only keccak256(id). A hash whose id this node never saw is
// skipped: nothing here could use it, and the first message of such a device
// goes through lookup(id), which reads the current state (revocation
// included) from the registry itself. Ids that lookup found unregistered are
// remembered by hash for a short while, so a registration right after that
// is still picked up by the next sync.
import { bytesToHex, hexToBytes, type Address, type Hex } from 'viem';
import { deviceIdHash } from '@tradetwin/core/device/keys';
import { deviceRegistryAbi, memberRegistryAbi } from '@tradetwin/contracts/generated/index';
import type { DeviceDirectory } from '../ingest/pipeline.js';
import type { DeviceRecord, NodeStore } from '../storage/types.js';
import type { ChainClients } from './clients.js';
import { CONTRACTS_SETTING, DEVICE_CURSOR_SETTING, type StoredDeployment } from './deploy.js';
import { chainCall, ChainError } from './errors.js';
import { readChunked } from './logs.js';
import { writeContractAndConfirm } from './transact.js';

export { DEVICE_CURSOR_SETTING, deviceIdHash };

const ZERO32: Hex = `0x${'0'.repeat(64)}`;

export interface DeviceRegistration {
  deviceId: string;
  keyType: 1 | 2;
  publicKey: Uint8Array;
  /** Hash of off-chain metadata; zero when absent. */
  metadataHash?: Hex;
}

/** Register a device for the node's organisation (needs DEVICE_OWNER); waits for the receipt. */
export async function registerDevice(
  clients: ChainClients,
  registry: Address,
  d: DeviceRegistration,
): Promise<{ txHash: Hex; blockNumber: number }> {
  const receipt = await writeContractAndConfirm(clients, {
    address: registry,
    abi: deviceRegistryAbi,
    functionName: 'registerDevice',
    args: [deviceIdHash(d.deviceId), d.keyType, bytesToHex(d.publicKey), d.metadataHash ?? ZERO32],
  }).catch(namingDevice(d.deviceId));
  return { txHash: receipt.transactionHash, blockNumber: Number(receipt.blockNumber) };
}

/**
 * Revoke a device, now (effectiveAtMs absent or 0) or back-dated to a key compromise.
 * The chain keeps seconds: the time is rounded down, so the revocation never starts late.
 */
export async function revokeDevice(
  clients: ChainClients,
  registry: Address,
  deviceId: string,
  effectiveAtMs?: number,
): Promise<{ txHash: Hex; blockNumber: number }> {
  const at = effectiveAtMs ? BigInt(Math.floor(effectiveAtMs / 1000)) : 0n;
  const receipt = await writeContractAndConfirm(clients, {
    address: registry,
    abi: deviceRegistryAbi,
    functionName: 'revokeDevice',
    args: [deviceIdHash(deviceId), at],
  }).catch(namingDevice(deviceId));
  return { txHash: receipt.transactionHash, blockNumber: Number(receipt.blockNumber) };
}

/** Rethrow a contract's refusal explained with the device's id where its hash appears ("device "reefer-7" … is not registered"). */
function namingDevice(deviceId: string) {
  return (err: unknown): never => {
    if (err instanceof ChainError) throw err.withNames(new Map([[deviceIdHash(deviceId).toLowerCase(), deviceId]]));
    throw err;
  };
}

/** The registry's record of a device (times in ms), or null when it was never registered. */
export async function readDevice(clients: ChainClients, registry: Address, deviceId: string): Promise<DeviceRecord | null> {
  const d = await chainCall('device', () =>
    clients.publicClient.readContract({
      address: registry,
      abi: deviceRegistryAbi,
      functionName: 'device',
      args: [deviceIdHash(deviceId)],
    }),
  );
  if (d.ownerOrg === 0n) return null;
  return {
    deviceId,
    keyType: keyType(d.keyType),
    publicKey: hexToBytes(d.publicKey),
    ownerOrg: Number(d.ownerOrg),
    metadataHash: d.metadataHash,
    registeredAt: Number(d.registeredAt) * 1000,
    revokedAt: d.revokedAt === 0n ? null : Number(d.revokedAt) * 1000,
  };
}

export interface DirectoryOptions {
  /** Event poll interval (default 1000 ms). */
  pollMs?: number;
  /** Blocks per eth_getLogs query. */
  chunk?: number;
  /** How long an id that lookup found unregistered stays known by hash (default 10 min). */
  unknownTtlMs?: number;
  onError?: (err: unknown) => void;
  onChange?: (d: DeviceRecord, why: 'registered' | 'revoked' | 'lookup') => void;
  now?: () => number;
}

export interface SyncResult {
  fromBlock: number;
  toBlock: number;
  registered: number;
  revoked: number;
}

const MEMBER_REMOVED = memberRegistryAbi.find((i) => i.type === 'event' && i.name === 'MemberRemoved')!;

/** The earlier of a device's own revocation and its owner's removal (ms; null: neither). */
export function effectiveRevokedAt(revokedAt: number | null, ownerRemovedAt: number | null): number | null {
  if (ownerRemovedAt === null) return revokedAt;
  return revokedAt === null ? ownerRemovedAt : Math.min(revokedAt, ownerRemovedAt);
}

const DEVICE_EVENTS = deviceRegistryAbi.filter(
  (i) => i.type === 'event' && (i.name === 'DeviceRegistered' || i.name === 'DeviceRevoked'),
);

export class ChainDeviceDirectory implements DeviceDirectory {
  private readonly cache = new Map<string, DeviceRecord>();
  /** keccak256(id) → id for every id this node knows. */
  private readonly ids = new Map<Hex, string>();
  /** Ids lookup found unregistered: hash → (id, when). */
  private readonly unknown = new Map<Hex, { id: string; at: number }>();
  private readonly inflight = new Map<string, Promise<DeviceRecord | undefined>>();
  private syncing: Promise<SyncResult> | null = null;
  /** MemberRegistry, read once from the DeviceRegistry (its `members` is immutable). */
  private memberRegistry: Address | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private loaded = false;
  private readonly pollMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: NodeStore,
    private readonly clients: ChainClients,
    readonly registry: Address,
    private readonly opts: DirectoryOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  /** Fill the cache from the store (start() does this). */
  async load(): Promise<void> {
    for (const d of await this.store.devices()) this.remember(d);
    this.loaded = true;
  }

  /** Load, catch up with the chain once, then poll for events. */
  async start(): Promise<void> {
    if (!this.loaded) await this.load();
    this.stopped = false;
    try {
      await this.sync();
    } catch (err) {
      // The cache from the store serves until the chain answers again.
      this.opts.onError?.(err);
    }
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.syncing?.catch(() => undefined);
  }

  get(deviceId: string): DeviceRecord | undefined {
    return this.cache.get(deviceId);
  }

  /**
   * Read the registry for one device (ingest calls this for ids not in the cache). When the chain
   * cannot be asked, the cached record serves; a device not in the cache then rejects (a retryable
   * chain_unavailable for the sender, not a final "unknown"). An id found unregistered within
   * unknownTtlMs is answered from that negative cache, unless `fresh` (right after registering it);
   * a registration in the meantime reaches the cache through sync().
   */
  lookup(deviceId: string, opts: { fresh?: boolean } = {}): Promise<DeviceRecord | undefined> {
    if (!opts.fresh && this.isKnownUnknown(deviceId)) return Promise.resolve(undefined);
    let p = this.inflight.get(deviceId);
    if (!p) {
      p = this.lookupOnce(deviceId).finally(() => this.inflight.delete(deviceId));
      this.inflight.set(deviceId, p);
    }
    return p;
  }

  /** Whether lookup found this id unregistered less than unknownTtlMs ago (no chain call needed to refuse it). */
  isKnownUnknown(deviceId: string): boolean {
    if (this.cache.has(deviceId)) return false;
    const u = this.unknown.get(deviceIdHash(deviceId));
    return u !== undefined && u.id === deviceId && this.now() - u.at <= (this.opts.unknownTtlMs ?? 600_000);
  }

  /** Apply registry events since the cursor; concurrent calls share one run. */
  sync(): Promise<SyncResult> {
    this.syncing ??= this.syncOnce().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  private async lookupOnce(deviceId: string): Promise<DeviceRecord | undefined> {
    let d: DeviceRecord | null;
    try {
      d = await readDevice(this.clients, this.registry, deviceId);
    } catch (err) {
      this.opts.onError?.(err);
      const cached = this.cache.get(deviceId);
      if (cached) return cached;
      throw err;
    }
    if (!d) {
      this.unknown.set(deviceIdHash(deviceId), { id: deviceId, at: this.now() });
      return undefined;
    }
    await this.save(d, 'lookup');
    return d;
  }

  private async syncOnce(): Promise<SyncResult> {
    const fromBlock = await this.cursor();
    const { items, toBlock } = await readChunked(this.clients, { fromBlock, chunk: this.opts.chunk }, (from, to) =>
      this.clients.publicClient.getLogs({
        address: this.registry,
        events: DEVICE_EVENTS,
        fromBlock: from,
        toBlock: to,
        strict: true,
      }),
    );
    this.expireUnknown();
    let registered = 0;
    let revoked = 0;
    for (const log of items) {
      const hash = log.args.deviceId as Hex;
      const id = this.ids.get(hash) ?? this.unknown.get(hash)?.id;
      if (id === undefined) continue;
      if (log.eventName === 'DeviceRegistered') {
        const a = log.args as { ownerOrg: bigint; keyType: number; publicKey: Hex; metadataHash: Hex; registeredAt: bigint };
        const prev = this.cache.get(id);
        await this.save(
          {
            deviceId: id,
            keyType: keyType(a.keyType),
            publicKey: hexToBytes(a.publicKey),
            ownerOrg: Number(a.ownerOrg),
            metadataHash: a.metadataHash,
            registeredAt: Number(a.registeredAt) * 1000,
            revokedAt: prev?.revokedAt ?? null,
          },
          'registered',
        );
        this.unknown.delete(hash);
        registered++;
      } else {
        const a = log.args as { effectiveAt: bigint };
        const prev = this.cache.get(id) ?? (await readDevice(this.clients, this.registry, id));
        if (!prev) continue;
        // Never later than a revocation already known (its owner's removal).
        await this.save({ ...prev, revokedAt: effectiveRevokedAt(Number(a.effectiveAt) * 1000, prev.revokedAt) }, 'revoked');
        revoked++;
      }
    }
    if (toBlock >= fromBlock) revoked += await this.applyRemovals(fromBlock, toBlock);
    if (toBlock >= fromBlock) await this.store.setSetting(DEVICE_CURSOR_SETTING, String(toBlock + 1));
    return { fromBlock, toBlock, registered, revoked };
  }

  /** Members removed in [fromBlock, toBlock]: each known device of theirs is revoked as of the removal (idempotent). */
  private async applyRemovals(fromBlock: number, toBlock: number): Promise<number> {
    this.memberRegistry ??= await chainCall('members', () =>
      this.clients.publicClient.readContract({ address: this.registry, abi: deviceRegistryAbi, functionName: 'members' }),
    );
    const registry = this.memberRegistry;
    const { items } = await readChunked(this.clients, { fromBlock, toBlock, chunk: this.opts.chunk }, (from, to) =>
      this.clients.publicClient.getLogs({ address: registry, event: MEMBER_REMOVED, fromBlock: from, toBlock: to, strict: true }),
    );
    let revoked = 0;
    for (const log of items) {
      const orgId = Number(log.args.orgId);
      const removedAt = Number(log.args.removedAt) * 1000;
      for (const d of [...this.cache.values()]) {
        if (d.ownerOrg !== orgId) continue;
        const at = effectiveRevokedAt(d.revokedAt, removedAt);
        if (at === d.revokedAt) continue;
        await this.save({ ...d, revokedAt: at }, 'revoked');
        revoked++;
      }
    }
    return revoked;
  }

  /** Next block to read: the stored cursor, else where the contracts were deployed. */
  private async cursor(): Promise<number> {
    const raw = await this.store.getSetting(DEVICE_CURSOR_SETTING);
    if (raw) return Number(raw);
    const dep = await this.store.getSetting(CONTRACTS_SETTING);
    if (dep) {
      const d = JSON.parse(dep) as StoredDeployment;
      if (d.addresses.deviceRegistry.toLowerCase() === this.registry.toLowerCase()) return d.fromBlock;
    }
    return 0;
  }

  private async save(d: DeviceRecord, why: 'registered' | 'revoked' | 'lookup'): Promise<void> {
    await this.store.upsertDevice(d);
    this.remember(d);
    this.opts.onChange?.(d, why);
  }

  private remember(d: DeviceRecord): void {
    this.cache.set(d.deviceId, d);
    this.ids.set(deviceIdHash(d.deviceId), d.deviceId);
  }

  private expireUnknown(): void {
    const ttl = this.opts.unknownTtlMs ?? 600_000;
    const now = this.now();
    for (const [h, u] of this.unknown) if (now - u.at > ttl) this.unknown.delete(h);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sync()
        .catch((err) => this.opts.onError?.(err))
        .finally(() => this.schedule());
    }, this.pollMs);
    this.timer.unref?.();
  }
}

function keyType(k: number): 1 | 2 {
  if (k !== 1 && k !== 2) throw new ChainError('reverted', `device registry returned unknown key type ${k}`);
  return k;
}
