import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { deviceIdHash } from '@tradetwin/core/device/keys';
import { ChainError } from '../chain/errors.js';
import { ConfigError } from '../config.js';
import { DataDirLockedError } from '../data-dir-lock.js';
import { StoreError } from '../storage/errors.js';
import { CliError, EXIT } from './args.js';
import { asCliError } from './main.js';

describe('errors of the node modules as exit codes (the README table)', () => {
  const cases: [string, unknown, number, string, RegExp][] = [
    [
      'a contract refusal, in words',
      new ChainError('reverted', 'revokeDevice: reverted with UnknownDevice(…)', {
        errorName: 'UnknownDevice',
        args: [deviceIdHash('reefer-7')],
      }),
      EXIT.refused,
      'contract_refused',
      /^device 0x[0-9a-f]{8}…[0-9a-f]{4} is not registered$/,
    ],
    [
      'a transaction the chain would not take',
      new ChainError('rejected', 'nonce too low'),
      EXIT.refused,
      'chain_refused',
      /nonce/,
    ],
    [
      'an unreachable chain',
      new ChainError('unreachable', 'ECONNREFUSED'),
      EXIT.unreachable,
      'chain_unavailable',
      /ECONNREFUSED/,
    ],
    ['a chain that timed out', new ChainError('timeout', 'timed out'), EXIT.unreachable, 'chain_unavailable', /timed out/],
    [
      'an unreachable database',
      new StoreError('unavailable', 'no PostgreSQL'),
      EXIT.unreachable,
      'store_unavailable',
      /no PostgreSQL/,
    ],
    [
      'a bad configuration',
      new ConfigError('TRADETWIN_HTTP_PORT must be a whole number'),
      EXIT.usage,
      'bad_config',
      /whole number/,
    ],
    [
      'a data dir another node holds',
      new DataDirLockedError('/d', { pid: 42, pidStart: null, host: hostname(), role: 'tradetwin node', since: 'now' }),
      EXIT.refused,
      'data_dir_in_use',
      /held by process 42/,
    ],
    ['anything else', new Error('boom'), EXIT.refused, 'internal', /^boom$/],
    ['a CLI error as raised', new CliError('--id is required'), EXIT.usage, 'usage', /^--id is required$/],
  ];
  for (const [what, err, exit, code, message] of cases) {
    it(`${what}: exit ${exit}, code ${code}`, () => {
      const e = asCliError(err);
      assert.equal(e.exitCode, exit);
      assert.equal(e.code, code);
      assert.match(e.message, message);
    });
  }
});
