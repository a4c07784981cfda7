// Configuration from the environment: the EPCIS event-hash profile, the block explorer, the display time zone and locale.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'tradetwin-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('TRADETWIN_EPCIS_HASH_CBV', () => {
  it('names captured events with CBV 2.0 IDs unless 2.1 is asked for', () => {
    assert.equal(loadConfig(dir, {}).epcis.hashCbv, '2.0');
    assert.equal(loadConfig(dir, { TRADETWIN_EPCIS_HASH_CBV: '2.1' }).epcis.hashCbv, '2.1');
  });

  it('refuses a version it has no rules for, saying which are known', () => {
    assert.throws(
      () => loadConfig(dir, { TRADETWIN_EPCIS_HASH_CBV: '1.2' }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /2\.0 or 2\.1/);
        return true;
      },
    );
  });
});

describe('TRADETWIN_EXPLORER_TX_URL', () => {
  it('links transactions to a block explorer when set, with {tx} standing for the hash', () => {
    assert.equal(loadConfig(dir, {}).explorer, undefined);
    assert.deepEqual(loadConfig(dir, { TRADETWIN_EXPLORER_TX_URL: 'https://explorer.example/tx/{tx}' }).explorer, {
      txUrl: 'https://explorer.example/tx/{tx}',
    });
  });

  it('refuses a template without {tx} or that is not an http(s) URL', () => {
    for (const bad of ['https://explorer.example/tx/', 'ftp://x/{tx}'])
      assert.throws(
        () => loadConfig(dir, { TRADETWIN_EXPLORER_TX_URL: bad }),
        /TRADETWIN_EXPLORER_TX_URL must be an http\(s\) URL holding \{tx\}/,
      );
  });
});

describe('TRADETWIN_DISPLAY_TIMEZONE and TRADETWIN_DISPLAY_LOCALE', () => {
  it('shows times in UTC with ISO-like dates unless told otherwise', () => {
    assert.deepEqual(loadConfig(dir, {}).display, { timeZone: 'UTC', locale: null });
    assert.deepEqual(
      loadConfig(dir, { TRADETWIN_DISPLAY_TIMEZONE: 'Africa/Nairobi', TRADETWIN_DISPLAY_LOCALE: 'en-GB' }).display,
      { timeZone: 'Africa/Nairobi', locale: 'en-GB' },
    );
  });

  it('refuses a time zone or locale the runtime does not know, saying what is expected', () => {
    assert.throws(
      () => loadConfig(dir, { TRADETWIN_DISPLAY_TIMEZONE: 'Mars/Olympus_Mons' }),
      (e: unknown) => e instanceof ConfigError && /"Mars\/Olympus_Mons" is not an IANA time zone/.test(e.message),
    );
    assert.throws(
      () => loadConfig(dir, { TRADETWIN_DISPLAY_LOCALE: 'not a locale!' }),
      (e: unknown) => e instanceof ConfigError && /is not a BCP 47 locale/.test(e.message),
    );
  });
});
