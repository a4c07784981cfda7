import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateDeviceKey, KEY_TYPE_ED25519 } from '../device/keys.js';
import { decideCommand, REEFER_SAFE_RANGES } from './actuator.js';
import { type CommandPayload, cosignCommand, operatorAccount, signCommand, verifyCommand } from './command.js';
import { openEffectReport, signEffectReport } from './effect.js';
import { acceptSeq, emptyReplayState, parseReplayState, replayProblem } from './replay-window.js';

const key = (n: number) => new Uint8Array(32).fill(n);
const shipper = key(1);
const carrier = key(2);
const stranger = key(3);
const payload = (over: Partial<CommandPayload> = {}): CommandPayload => ({
  device: 'reefer-1',
  shipment: 'S1',
  seq: 1,
  issuedAt: 1_000,
  expiresAt: 61_000,
  action: { kind: 'setpoint', celsius: 4.5 },
  ...over,
});
const members = new Map([
  [operatorAccount(shipper), 1],
  [operatorAccount(carrier), 2],
]);
const cfg = { deviceId: 'reefer-1', members, ranges: REEFER_SAFE_RANGES, maxPerMinute: 2 };

describe('signed commands', () => {
  it('verifies issuer and co-signer over the same payload', () => {
    const bundle = cosignCommand(signCommand(payload(), shipper), carrier);
    const v = verifyCommand(bundle);
    assert.deepEqual(v.payload, payload());
    assert.deepEqual(
      v.signatures.map((s) => s.account),
      [operatorAccount(shipper), operatorAccount(carrier)],
    );
    assert.match(v.id, /^[0-9a-f]{64}$/);
  });

  it('refuses a tampered payload and the same account twice', () => {
    const bundle = signCommand(payload(), shipper);
    const bad = bundle.slice();
    const at = bad.length - 70;
    bad[at] = bad[at]! ^ 1;
    assert.throws(() => verifyCommand(bad), { name: 'CommandError' });
    assert.throws(() => verifyCommand(cosignCommand(bundle, shipper)), /signed twice/);
    assert.throws(() => verifyCommand(new Uint8Array([0x80])), { code: 'malformed' });
  });

  it('the device applies once, refuses replay, expiry, strangers, out-of-range and bursts', () => {
    let state = { replay: emptyReplayState(), appliedAt: [] as number[] };
    const ok = decideCommand(signCommand(payload(), shipper), cfg, state, 2_000);
    assert.equal(ok.ok, true);
    if (ok.ok) state = { replay: ok.replay, appliedAt: ok.appliedAt };
    const again = decideCommand(signCommand(payload(), shipper), cfg, state, 2_000);
    assert.equal(!again.ok && again.error.code, 'replayed');
    const late = decideCommand(signCommand(payload({ seq: 2 }), shipper), cfg, state, 61_000);
    assert.equal(!late.ok && late.error.code, 'expired');
    const foreign = decideCommand(signCommand(payload({ seq: 2 }), stranger), cfg, state, 2_000);
    assert.equal(!foreign.ok && foreign.error.code, 'unauthorised');
    const hot = decideCommand(
      signCommand(payload({ seq: 3, action: { kind: 'setpoint', celsius: 40 } }), shipper),
      cfg,
      state,
      2_000,
    );
    assert.equal(!hot.ok && hot.error.code, 'out_of_range');
    assert.ok(!hot.ok && hot.replay?.used.includes(3), 'a refused seq is spent');
    const second = decideCommand(signCommand(payload({ seq: 4 }), shipper), cfg, state, 2_000);
    assert.ok(second.ok);
    if (second.ok) state = { replay: second.replay, appliedAt: second.appliedAt };
    const third = decideCommand(signCommand(payload({ seq: 5 }), shipper), cfg, state, 2_000);
    assert.equal(!third.ok && third.error.code, 'rate_limited');
  });

  it('an effect report verifies only under the device key', () => {
    const dk = { deviceId: 'reefer-1', ...generateDeviceKey(KEY_TYPE_ED25519, new Uint8Array([9])) };
    const other = { deviceId: 'reefer-1', ...generateDeviceKey(KEY_TYPE_ED25519, new Uint8Array([8])) };
    const report = {
      device: 'reefer-1',
      command: 'ab'.repeat(32),
      seq: 1,
      at: 5,
      outcome: 'refused' as const,
      reason: 'out_of_range' as const,
      detail: 'too hot',
    };
    const bytes = signEffectReport(report, dk);
    assert.deepEqual(openEffectReport(bytes, dk), report);
    assert.throws(() => openEffectReport(bytes, other), { code: 'bad_signature' });
  });
});

describe('replay window', () => {
  it('takes seqs out of order inside the window, refuses reuse and anything older than the window', () => {
    let s = emptyReplayState();
    for (const seq of [5, 3, 100]) {
      assert.equal(replayProblem(s, seq), null);
      s = acceptSeq(s, seq);
    }
    assert.match(replayProblem(s, 100) ?? '', /already used/);
    assert.match(replayProblem(s, 36) ?? '', /older than the replay window/);
    assert.equal(replayProblem(s, 37), null);
    assert.deepEqual(s, { highest: 100, used: [100] });
    assert.deepEqual(parseReplayState(JSON.parse(JSON.stringify(s))), s);
  });
});
