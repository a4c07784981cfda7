import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CommandPayload, cosignCommand, operatorAccount, signCommand, verifyCommand } from '@tradetwin/core/command/command';
import { authoriseCommand, cosignRule, DEFAULT_COSIGN_POLICY } from './authorise.js';

const k = (n: number) => new Uint8Array(32).fill(n);
const [owner, shipper, carrier, outsider] = [k(1), k(2), k(3), k(4)];
const orgOfAccount = new Map<string, number | null>([
  [operatorAccount(owner), 1],
  [operatorAccount(shipper), 2],
  [operatorAccount(carrier), 3],
  [operatorAccount(outsider), 4],
]);
const facts = (setpointInForce: number | null = 4) => ({
  orgOfAccount,
  deviceOwnerOrg: 1,
  parties: [
    { role: 'shipper', orgId: 2 },
    { role: 'carrier', orgId: 3 },
  ],
  setpointInForce,
});
const payload = (celsius: number): CommandPayload => ({
  device: 'reefer-1',
  shipment: 'S1',
  seq: 1,
  issuedAt: 1,
  expiresAt: 2,
  action: { kind: 'setpoint', celsius },
});
const cmd = (celsius: number, ...keys: Uint8Array[]) =>
  verifyCommand(keys.slice(1).reduce((b, key) => cosignCommand(b, key), signCommand(payload(celsius), keys[0]!)));

describe('command authorisation', () => {
  it('a move of exactly the step needs one signature; a larger one, valves and a first setpoint need two', () => {
    assert.equal(cosignRule({ kind: 'setpoint', celsius: 6 }, 4, DEFAULT_COSIGN_POLICY).required, false);
    assert.equal(cosignRule({ kind: 'setpoint', celsius: 1.9 }, 4, DEFAULT_COSIGN_POLICY).required, true);
    assert.equal(cosignRule({ kind: 'setpoint', celsius: 4 }, null, DEFAULT_COSIGN_POLICY).required, true);
    assert.equal(cosignRule({ kind: 'valve', state: 'close' }, 4, DEFAULT_COSIGN_POLICY).required, true);
    assert.equal(cosignRule({ kind: 'door', state: 'lock' }, null, DEFAULT_COSIGN_POLICY).required, false);
    assert.equal(cosignRule({ kind: 'setpoint', celsius: 9 }, 4, { setpointStepC: 5, alwaysCosign: [] }).required, false);
  });

  it('the owner and the parties may command; an outsider and a non-member may not, not even as co-signer', () => {
    assert.equal(authoriseCommand(cmd(5, owner), facts(), DEFAULT_COSIGN_POLICY).issuer.as, 'device owner');
    assert.equal(authoriseCommand(cmd(5, carrier), facts(), DEFAULT_COSIGN_POLICY).issuer.as, 'carrier of S1');
    assert.throws(() => authoriseCommand(cmd(5, outsider), facts(), DEFAULT_COSIGN_POLICY), { code: 'unauthorised' });
    assert.throws(() => authoriseCommand(cmd(5, k(9)), facts(), DEFAULT_COSIGN_POLICY), { code: 'unauthorised' });
    assert.throws(() => authoriseCommand(cmd(20, shipper, outsider), facts(), DEFAULT_COSIGN_POLICY), { code: 'unauthorised' });
  });

  it('a safety-relevant change needs a second organisation', () => {
    assert.throws(() => authoriseCommand(cmd(20, shipper), facts(), DEFAULT_COSIGN_POLICY), { code: 'cosignature_required' });
    const two = authoriseCommand(cmd(20, shipper, owner), facts(), DEFAULT_COSIGN_POLICY);
    assert.deepEqual([two.issuer.orgId, two.cosigner?.orgId, two.cosignatureRequired], [2, 1, true]);
    // Two accounts of one organisation are one organisation.
    const sameOrg = new Map(orgOfAccount).set(operatorAccount(k(5)), 2);
    assert.throws(() => authoriseCommand(cmd(20, shipper, k(5)), { ...facts(), orgOfAccount: sameOrg }, DEFAULT_COSIGN_POLICY), {
      code: 'unauthorised',
    });
  });
});
