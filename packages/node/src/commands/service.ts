// Signed actuator commands in a running node (scenario S10):
//   POST bundle → verify signatures → not expired → device and shipment known
//   → authorise (issuer's organisation; co-signature when safety-relevant)
//   → fresh seq (per-device window) → log leaf "command" → record → deliver (MQTT)
// and the device's signed effect report → verify under its registered key
//   → log leaf "command-effect" → record it on the command.
// Submissions run one at a time, so the replay check and the record cannot race.
import { EventEmitter } from 'node:events';
import { CommandError, type VerifiedCommand, verifyCommand } from '@tradetwin/core/command/command';
import { openEffectReport } from '@tradetwin/core/command/effect';
import { REPLAY_WINDOW } from '@tradetwin/core/command/replay-window';
import { encodeLeaf } from '@tradetwin/core/proof/leaf';
import type { CommandJson } from '@tradetwin/core/wire/commands';
import { bytesToHex } from 'viem';
import type { DeviceDirectory } from '../ingest/pipeline.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { CommandFilter, CommandRow, CommandStore } from '../storage/commands.js';
import type { ShipmentStore } from '../storage/shipments.js';
import { authoriseCommand, type CosignPolicy, DEFAULT_COSIGN_POLICY } from './authorise.js';
import { CommandRefusal } from './errors.js';

export const COMMAND_LEAF_KIND = 'command';
/** A command may be valid for at most this long from now: an old signed command must not lie in wait. */
export const MAX_COMMAND_LIFETIME_MS = 24 * 3_600_000;
export const EFFECT_LEAF_KIND = 'command-effect';

/** The organisation an account belongs to, when it is an active member's (MemberRegistry). */
export interface MemberDirectory {
  orgOf(account: string): Promise<number | null>;
}

export interface CommandServiceDeps {
  store: CommandStore;
  log: TransparencyLog;
  devices: DeviceDirectory;
  shipments: ShipmentStore;
  members: MemberDirectory;
  /** Publish the bundle on the device's command topic; rejects when it cannot. */
  deliver?: (deviceId: string, bundle: Uint8Array) => Promise<void>;
  policy?: CosignPolicy;
  now?: () => number;
  onAppended?: () => void;
}

/** The wire type (core/wire/commands.ts): what a command row is in the API. */
export type { CommandJson };

export function commandJson(r: CommandRow): CommandJson {
  const { bundle: _bundle, n: _n, effect, ...rest } = r;
  return {
    ...rest,
    status: effect ? effect.outcome : 'delivered',
    effect: effect ? { ...effect, report: bytesToHex(effect.report) } : null,
  };
}

/** Whether the caller may see a shipment's commands (as it may read the shipment: access/policy.ts). */
export type ShipmentVisibility = (shipmentId: string) => boolean;
const everything: ShipmentVisibility = () => true;

export class CommandService {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly events = new EventEmitter();
  private readonly policy: CosignPolicy;
  private readonly now: () => number;

  constructor(private readonly deps: CommandServiceDeps) {
    this.policy = deps.policy ?? DEFAULT_COSIGN_POLICY;
    this.now = deps.now ?? Date.now;
  }

  /** Accept, log and deliver a command bundle; throws CommandRefusal naming why not. */
  submit(bundle: Uint8Array): Promise<{ command: CommandJson; delivered: boolean }> {
    const run = this.queue.then(() => this.submitNow(bundle));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async submitNow(bundle: Uint8Array): Promise<{ command: CommandJson; delivered: boolean }> {
    let cmd: VerifiedCommand;
    try {
      cmd = verifyCommand(bundle);
    } catch (err) {
      if (err instanceof CommandError) throw new CommandRefusal('bad_command', `${err.code}: ${err.message}`);
      throw err;
    }
    const p = cmd.payload;
    const now = this.now();
    if (p.expiresAt <= now) throw new CommandRefusal('expired', `command expired at ${new Date(p.expiresAt).toISOString()}`);
    if (p.expiresAt - now > MAX_COMMAND_LIFETIME_MS)
      throw new CommandRefusal(
        'bad_command',
        `exp is more than ${MAX_COMMAND_LIFETIME_MS / 3_600_000} h away: sign a shorter-lived command`,
      );
    const device = this.deps.devices.get(p.device) ?? (await this.deps.devices.lookup(p.device));
    if (!device || (device.revokedAt !== null && device.revokedAt <= now))
      throw new CommandRefusal('unknown_device', `device ${p.device} is not registered (or revoked)`);
    const shipment = await this.deps.shipments.shipment(p.shipment);
    if (!shipment) throw new CommandRefusal('unknown_shipment', `shipment ${p.shipment} does not exist`);
    if (!shipment.devices.some((d) => d.deviceId === p.device))
      throw new CommandRefusal('device_not_in_shipment', `shipment ${p.shipment} does not list device ${p.device}`);

    // The registry reads are independent: asked at once (each is a chain call).
    const withAccounts = shipment.parties.filter((party) => party.account);
    const [signerOrgs, partyOrgs] = await Promise.all([
      Promise.all(cmd.signatures.map((s) => this.deps.members.orgOf(s.account))),
      Promise.all(withAccounts.map((party) => this.deps.members.orgOf(party.account!.toLowerCase()))),
    ]);
    const orgOfAccount = new Map(cmd.signatures.map((s, i) => [s.account, signerOrgs[i] ?? null]));
    const parties = withAccounts.flatMap((party, i) => {
      const orgId = partyOrgs[i];
      return orgId === null || orgId === undefined ? [] : [{ role: party.role, orgId }];
    });
    const authorisation = authoriseCommand(
      cmd,
      { orgOfAccount, deviceOwnerOrg: device.ownerOrg, parties, setpointInForce: await this.setpointInForce(p.device) },
      this.policy,
    );

    const highest = await this.deps.store.highestSeq(p.device);
    if (p.seq <= highest - REPLAY_WINDOW)
      throw new CommandRefusal('replayed', `seq ${p.seq} is older than ${p.device}'s replay window (highest ${highest})`);
    if ((await this.deps.store.seqsAbove(p.device, p.seq - 1))[0] === p.seq)
      throw new CommandRefusal('replayed', `seq ${p.seq} was already used for ${p.device}`);

    // Logged before it is delivered: a device never acts on a command the log does not hold.
    const { firstIndex } = await this.deps.log.append([
      { data: encodeLeaf({ kind: COMMAND_LEAF_KIND, receivedAt: now, body: bundle }) },
    ]);
    this.deps.onAppended?.();
    const row: CommandRow = {
      n: 0,
      id: cmd.id,
      deviceId: p.device,
      shipmentId: p.shipment,
      seq: p.seq,
      action: { ...p.action },
      issuedAt: p.issuedAt,
      expiresAt: p.expiresAt,
      authorisation,
      bundle,
      leafIndex: firstIndex,
      receivedAt: now,
      effect: null,
    };
    await this.deps.store.insert(row);
    let delivered = false;
    if (this.deps.deliver) {
      try {
        await this.deps.deliver(p.device, bundle);
        delivered = true;
      } catch {
        delivered = false;
      }
    }
    return { command: commandJson(row), delivered };
  }

  /** The setpoint the device last reported applied. */
  private async setpointInForce(deviceId: string): Promise<number | null> {
    for (const c of await this.deps.store.list({ deviceId }, 200)) {
      const sp = c.effect?.outcome === 'applied' ? c.effect.state?.setpoint : undefined;
      if (typeof sp === 'number') return sp;
    }
    return null;
  }

  /**
   * A device's effect report (from its effects topic): verified under its registered key, logged,
   * recorded on its command. Throws CommandError / CommandRefusal for a report that is not taken.
   */
  async receiveEffect(deviceId: string, report: Uint8Array): Promise<CommandJson> {
    const device = this.deps.devices.get(deviceId) ?? (await this.deps.devices.lookup(deviceId));
    if (!device) throw new CommandRefusal('unknown_device', `device ${deviceId} is not registered`);
    const r = openEffectReport(report, device);
    const command = await this.deps.store.command(r.command);
    if (!command || command.deviceId !== deviceId || command.seq !== r.seq)
      throw new CommandRefusal('no_such_command', `no command ${r.command} (seq ${r.seq}) was sent to ${deviceId}`);
    if (command.effect) return commandJson(command);
    const receivedAt = this.now();
    const { firstIndex } = await this.deps.log.append([
      { data: encodeLeaf({ kind: EFFECT_LEAF_KIND, receivedAt, body: report }) },
    ]);
    this.deps.onAppended?.();
    const effect = {
      outcome: r.outcome,
      reason: r.reason ?? null,
      detail: r.detail ?? null,
      state: r.state ?? null,
      at: r.at,
      leafIndex: firstIndex,
      report,
      receivedAt,
    };
    await this.deps.store.recordEffect(command.id, effect);
    const json = commandJson({ ...command, effect });
    this.events.emit('effect', json);
    return json;
  }

  /**
   * Resolves with the command once its effect report is in (tests, `command send --wait`, the benchmark).
   * It listens before it reads: on PostgreSQL a read sent just before the report commits can answer after
   * the report's event has fired, with the row as it was; listening first cannot miss that event, and the
   * store is read once more when the wait ends.
   */
  async waitForEffect(id: string, timeoutMs: number): Promise<CommandJson | null> {
    let onEffect!: (c: CommandJson) => void;
    const reported = new Promise<CommandJson>((resolve) => {
      onEffect = (c) => {
        if (c.id === id) resolve(c);
      };
      this.events.on('effect', onEffect);
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const known = await this.deps.store.command(id);
      if (known?.effect) return commandJson(known);
      const timedOut = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
      });
      const first = await Promise.race([reported, timedOut]);
      if (first) return first;
      const last = await this.deps.store.command(id);
      return last?.effect ? commandJson(last) : null;
    } finally {
      clearTimeout(timer);
      this.events.off('effect', onEffect);
    }
  }

  /** One command; one of a shipment the caller may not see is as unknown as one that does not exist. */
  async get(id: string, maySee: ShipmentVisibility = everything): Promise<CommandJson> {
    const r = await this.deps.store.command(id);
    if (!r || !maySee(r.shipmentId)) throw new CommandRefusal('no_such_command', `no command ${id}`);
    return commandJson(r);
  }

  /** The command log, newest first, narrowed to the shipments the caller may see (the others are skipped). */
  async list(
    filter: CommandFilter,
    limit: number,
    before?: number,
    maySee: ShipmentVisibility = everything,
  ): Promise<{ commands: CommandJson[]; next: number | null }> {
    const out: CommandJson[] = [];
    let cursor = before;
    for (;;) {
      const rows = await this.deps.store.list(filter, limit * 2, cursor);
      for (const r of rows) {
        if (!maySee(r.shipmentId)) continue;
        out.push(commandJson(r));
        if (out.length === limit) return { commands: out, next: r.n };
      }
      if (rows.length < limit * 2) return { commands: out, next: null };
      cursor = rows.at(-1)!.n;
    }
  }

  /**
   * Publish a logged command again (its delivery failed, or the device lost it): the same signed bundle,
   * so it cannot act twice — a device that already acted refuses the repeat by its replay window, and its
   * report changes nothing here (the first effect stays). Refused once the command has expired.
   */
  async resend(id: string, maySee: ShipmentVisibility = everything): Promise<{ command: CommandJson; delivered: boolean }> {
    const r = await this.deps.store.command(id);
    if (!r || !maySee(r.shipmentId)) throw new CommandRefusal('no_such_command', `no command ${id}`);
    if (r.expiresAt <= this.now())
      throw new CommandRefusal('expired', `command expired at ${new Date(r.expiresAt).toISOString()}: sign a new one`);
    if (!this.deps.deliver) throw new CommandRefusal('not_delivered', 'the node has no MQTT transport to deliver it on');
    try {
      await this.deps.deliver(r.deviceId, r.bundle);
    } catch (err) {
      throw new CommandRefusal('not_delivered', `delivery failed again: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { command: commandJson(r), delivered: true };
  }
}
