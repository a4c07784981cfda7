import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliError } from './args.js';
import { parseRevocationTime } from './device.js';

const NOW = Date.parse('2026-12-03T08:30:00Z');

describe('device revoke --at', () => {
  it('takes an ISO time, ms since the epoch, now, or now-<n>s|m|h|d (back-dated from the moment it runs)', () => {
    assert.equal(parseRevocationTime('2026-11-24T10:00:00Z', NOW), Date.parse('2026-11-24T10:00:00Z'));
    assert.equal(parseRevocationTime('1796285814000', NOW), 1796285814000);
    assert.equal(parseRevocationTime('now', NOW), NOW);
    assert.equal(parseRevocationTime('now-10s', NOW), NOW - 10_000);
    assert.equal(parseRevocationTime('now-5m', NOW), NOW - 300_000);
    assert.equal(parseRevocationTime('now-2h', NOW), NOW - 7_200_000);
    assert.equal(parseRevocationTime('now-1d', NOW), NOW - 86_400_000);
  });

  it('refuses what is not a time, and a time in the future, as usage errors (exit 2)', () => {
    for (const bad of ['yesterday', 'now+10s', 'now-10', 'now-10y', '10s', '']) {
      assert.throws(
        () => parseRevocationTime(bad, NOW),
        (e: unknown) => e instanceof CliError && e.exitCode === 2 && /--at must be an ISO time/.test(e.message),
        bad,
      );
    }
    assert.throws(
      () => parseRevocationTime('2026-12-04T00:00:00Z', NOW),
      (e: unknown) => e instanceof CliError && e.exitCode === 2 && /is in the future/.test(e.message),
    );
  });
});
