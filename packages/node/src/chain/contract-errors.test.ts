import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeErrorResult } from 'viem';
import { deviceIdHash } from '@tradetwin/core/device/keys';
import { deviceRegistryAbi } from '@tradetwin/contracts/generated/index';
import { explainContractError } from './contract-errors.js';
import { ChainError, contractErrorsAbi, toChainError } from './errors.js';

describe('contract errors in words', () => {
  it('has a sentence for every custom error of every contract, naming no error in CamelCase', () => {
    for (const e of contractErrorsAbi) {
      const args = e.inputs.map((i) => (i.type === 'address' ? `0x${'ab'.repeat(20)}` : i.type === 'string' ? 'x' : 1n));
      const words = explainContractError(e.name, args);
      assert.ok(words, `${e.name} has no sentence`);
      assert.doesNotMatch(words, new RegExp(`\\b${e.name}\\b`), `${e.name} is explained in words, not by its name`);
    }
  });

  it('says which device is not registered: by its id where the caller knows it, else by its hash', () => {
    const hash = deviceIdHash('reefer-7');
    assert.equal(
      explainContractError('UnknownDevice', [hash]),
      `device ${hash.slice(0, 10)}…${hash.slice(-4)} is not registered`,
    );
    assert.equal(
      explainContractError('UnknownDevice', [hash], new Map([[hash.toLowerCase(), 'reefer-7']])),
      `device "reefer-7" (${hash.slice(0, 10)}…) is not registered`,
    );
  });

  it('shows chain times as UTC timestamps and temperatures in °C', () => {
    assert.equal(
      explainContractError('RevocationBeforeRegistration', [1795514400n, 1796285814n]),
      'a revocation cannot take effect (2026-11-24T10:00:00Z) before the device was registered (2026-12-03T08:16:54Z)',
    );
    assert.equal(
      explainContractError('PeakWithinRange', [750, 200, 800]),
      "the peak of 7.5 °C lies within the policy's band 2…8 °C",
    );
    assert.equal(explainContractError('WrongPolicyState', [4n, 3]), 'policy 4 is paid, which does not allow this');
  });

  it('explains a decoded revert on the ChainError itself, keeping the raw name and arguments', () => {
    const hash = deviceIdHash('ghost');
    const data = encodeErrorResult({ abi: deviceRegistryAbi, errorName: 'UnknownDevice', args: [hash] });
    const err = toChainError(Object.assign(new Error('execution reverted'), { data }), 'revokeDevice');
    assert.ok(err instanceof ChainError);
    assert.equal(err.errorName, 'UnknownDevice');
    assert.match(err.explanation ?? '', /^device 0x[0-9a-f]{8}…[0-9a-f]{4} is not registered$/);
    assert.match(
      err.withNames(new Map([[hash, 'ghost']])).explanation ?? '',
      /^device "ghost" \(0x[0-9a-f]{8}…\) is not registered$/,
    );
  });

  it('leaves a name no contract has unexplained (shown as raised)', () => {
    assert.equal(explainContractError('NoSuchError', [1n]), undefined);
    assert.equal(new ChainError('reverted', 'reverted', { errorName: 'NoSuchError', args: [1n] }).explanation, undefined);
  });
});
