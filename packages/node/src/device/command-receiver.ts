// A device's side of signed actuation, as firmware would do it: subscribe to
// its command topic, decide each command (core/command/actuator: member
// signatures it trusts, expiry, replay window, safe ranges, rate limit), act,
// and answer with an effect report signed by its own key on its effects topic.
// With a persistent session (clean = false) commands sent while the device was away
// are handed over when it reconnects, and still pass the same checks.
// The replay window and the applied state live in a file next to the key file
// (<key file>.commands.json), written (fsync + rename) *before* the device acts,
// so a restart — or a crash between deciding and acting — never lets a seq act twice.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { type ActuatorConfig, type ActuatorState, decideCommand } from '@tradetwin/core/command/actuator';
import { type EffectReport, signEffectReport } from '@tradetwin/core/command/effect';
import { emptyReplayState, parseReplayState } from '@tradetwin/core/command/replay-window';
import type { DeviceKey } from '@tradetwin/core/device/keys';
import type { MqttClient } from 'mqtt';
import { deviceTopic } from '../ingest/mqtt-access.js';

export interface ReceiverState extends ActuatorState {
  /** What is in force on the device (e.g. {setpoint: 4}). */
  applied: Record<string, string | number>;
}

/** Where a key file's command state lives. */
export const commandStateFile = (keyFile: string) => `${keyFile}.commands.json`;

export function loadReceiverState(file: string): ReceiverState {
  if (!existsSync(file)) return { replay: emptyReplayState(), appliedAt: [], applied: {} };
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<ReceiverState>;
  return {
    replay: parseReplayState(raw.replay),
    appliedAt: Array.isArray(raw.appliedAt) ? raw.appliedAt.filter((t) => Number.isSafeInteger(t)) : [],
    applied: raw.applied && typeof raw.applied === 'object' ? raw.applied : {},
  };
}

/** Durable write: a crash leaves the old file or the new one, never half of either. */
function saveReceiverState(file: string, s: ReceiverState): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(s)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export interface ReceiverOptions extends Omit<ActuatorConfig, 'deviceId'> {
  key: DeviceKey;
  stateFile: string;
  now?: () => number;
  /** Each report as sent (logs, tests). */
  onReport?: (r: EffectReport) => void;
}

export interface CommandReceiver {
  state(): ReceiverState;
  /** Decide one command bundle and publish the report (the MQTT handler; exposed for tests). */
  handle(bundle: Uint8Array): Promise<EffectReport | null>;
  stop(): Promise<void>;
}

export async function startCommandReceiver(client: MqttClient, opts: ReceiverOptions): Promise<CommandReceiver> {
  const deviceId = opts.key.deviceId;
  const now = opts.now ?? Date.now;
  let state = loadReceiverState(opts.stateFile);
  const cfg: ActuatorConfig = { deviceId, members: opts.members, ranges: opts.ranges, maxPerMinute: opts.maxPerMinute };
  let chain: Promise<unknown> = Promise.resolve();

  const handleNow = async (bundle: Uint8Array): Promise<EffectReport | null> => {
    const at = now();
    const d = decideCommand(bundle, cfg, state, at);
    // Nothing verifiable to answer to (malformed, forged): no report, no state change.
    if (!d.ok && !d.command) return null;
    const cmd = d.command!;
    let report: EffectReport;
    if (d.ok) {
      const a = cmd.payload.action;
      const applied = { ...state.applied, ...(a.kind === 'setpoint' ? { setpoint: a.celsius } : { [a.kind]: a.state }) };
      state = { replay: d.replay, appliedAt: d.appliedAt, applied };
      saveReceiverState(opts.stateFile, state); // before acting
      report = { device: deviceId, command: cmd.id, seq: cmd.payload.seq, at, outcome: 'applied', state: applied };
    } else {
      if (d.replay) {
        state = { ...state, replay: d.replay };
        saveReceiverState(opts.stateFile, state);
      }
      report = {
        device: deviceId,
        command: cmd.id,
        seq: cmd.payload.seq,
        at,
        outcome: 'refused',
        reason: d.error.code,
        detail: d.error.message,
      };
    }
    await client.publishAsync(deviceTopic(deviceId, 'effects'), Buffer.from(signEffectReport(report, opts.key)), { qos: 1 });
    opts.onReport?.(report);
    return report;
  };
  const handle = (bundle: Uint8Array) => {
    const run = chain.then(() => handleNow(bundle));
    chain = run.catch(() => undefined);
    return run;
  };

  const topic = deviceTopic(deviceId, 'commands');
  const onMessage = (t: string, payload: Buffer) => {
    if (t === topic) handle(new Uint8Array(payload)).catch(() => undefined);
  };
  client.on('message', onMessage);
  // A client not yet connected (mqtt-device.ts deviceSessionClient) connects now that the handler is in
  // place: commands that waited in its session at the broker arrive right after the CONNACK.
  if (!client.connected) {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.connect();
    });
  }
  await client.subscribeAsync(topic, { qos: 1 });
  return {
    state: () => state,
    handle,
    stop: async () => {
      client.off('message', onMessage);
      await chain;
    },
  };
}
