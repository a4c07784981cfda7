// A device's signed effect report: what it did with a command (applied, or
// refused and why), as a COSE_Sign1 under the device's registered key — the
// same envelope and key as its telemetry, so the node verifies it against the
// DeviceRegistry. The payload names the command by id (sha256 of its payload).
import { CborError, type CborValue, decodeCbor, encodeCbor } from '../cose/cbor.js';
import { decodeSign1, encodeProtectedHeader, encodeSign1, sigStructure } from '../cose/sign1.js';
import { algForKeyType, type DeviceKey, type DevicePublicKey, sign, verify } from '../device/keys.js';
import { CommandError, type CommandErrorCode } from './command.js';

export interface EffectReport {
  device: string;
  /** The command's id (hex sha256 of its payload). */
  command: string;
  seq: number;
  /** When the device acted or refused, ms. */
  at: number;
  outcome: 'applied' | 'refused';
  /** Refused: the code and why. */
  reason?: CommandErrorCode;
  detail?: string;
  /** Applied: the state now in force, e.g. {setpoint: 5}. */
  state?: Record<string, string | number>;
}

export function signEffectReport(r: EffectReport, key: DeviceKey): Uint8Array {
  const body = new Map<string, CborValue>([
    ['dev', r.device],
    ['cmd', r.command],
    ['seq', r.seq],
    ['at', r.at],
    ['out', r.outcome],
  ]);
  if (r.reason) body.set('why', r.reason);
  if (r.detail) body.set('det', r.detail);
  if (r.state) body.set('st', new Map(Object.entries(r.state)));
  const payload = encodeCbor(body);
  const alg = algForKeyType(key.keyType);
  const signature = sign(key.keyType, key.privateKey, sigStructure(encodeProtectedHeader(alg), payload));
  return encodeSign1({ alg, kid: key.deviceId, payload, signature });
}

/** Verify a report under the device's key; throws CommandError naming what is wrong. */
export function openEffectReport(bytes: Uint8Array, key: DevicePublicKey & { deviceId: string }): EffectReport {
  let env: ReturnType<typeof decodeSign1>;
  try {
    env = decodeSign1(bytes);
  } catch (err) {
    throw new CommandError('malformed', `effect report: ${(err as Error).message}`);
  }
  if (env.kid !== key.deviceId) throw new CommandError('wrong_device', `effect report kid ${env.kid} is not ${key.deviceId}`);
  if (
    env.alg !== algForKeyType(key.keyType) ||
    !verify(key.keyType, key.publicKey, sigStructure(env.protectedBytes, env.payload), env.signature)
  )
    throw new CommandError('bad_signature', `effect report is not signed by device ${key.deviceId}'s registered key`);
  let v: CborValue;
  try {
    v = decodeCbor(env.payload);
  } catch (err) {
    throw new CommandError('malformed', `effect report payload: ${err instanceof CborError ? err.message : String(err)}`);
  }
  if (!(v instanceof Map)) throw new CommandError('malformed', 'effect report payload must be a map');
  const out = v.get('out');
  const r: EffectReport = {
    device: v.get('dev') as string,
    command: v.get('cmd') as string,
    seq: v.get('seq') as number,
    at: v.get('at') as number,
    outcome: out as EffectReport['outcome'],
  };
  if (r.device !== key.deviceId) throw new CommandError('wrong_device', `effect report dev ${r.device} is not ${key.deviceId}`);
  if (
    typeof r.command !== 'string' ||
    !/^[0-9a-f]{64}$/.test(r.command) ||
    !Number.isSafeInteger(r.seq) ||
    !Number.isSafeInteger(r.at)
  )
    throw new CommandError('malformed', 'effect report needs cmd (hex id), seq and at');
  if (out !== 'applied' && out !== 'refused') throw new CommandError('malformed', 'effect report out must be applied or refused');
  const why = v.get('why');
  if (typeof why === 'string') r.reason = why as CommandErrorCode;
  const det = v.get('det');
  if (typeof det === 'string') r.detail = det;
  const st = v.get('st');
  if (st instanceof Map)
    r.state = Object.fromEntries([...st].filter(([, x]) => typeof x === 'string' || typeof x === 'number')) as Record<
      string,
      string | number
    >;
  return r;
}
