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

describe('TRADETWIN_NODE_DIRECTORY, TRADETWIN_PUBLIC_URL', () => {
  const chain = {
    TRADETWIN_RPC_URL: 'http://127.0.0.1:8545',
    TRADETWIN_CHAIN_ID: '1337',
    TRADETWIN_MEMBER_REGISTRY: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    TRADETWIN_DEVICE_REGISTRY: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
    TRADETWIN_LOG_ANCHOR: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
  };

  it("takes the network's NodeDirectory with the other addresses, and the URL peers reach the node at", () => {
    const c = loadConfig(dir, {
      ...chain,
      TRADETWIN_NODE_DIRECTORY: '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9',
      TRADETWIN_PUBLIC_URL: 'https://node.carrier.example/',
    });
    assert.equal(c.chain.mode === 'external' && c.chain.addresses?.nodeDirectory, '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9');
    assert.equal(c.peer?.publicUrl, 'https://node.carrier.example');
    const without = loadConfig(dir, chain);
    assert.equal(without.chain.mode === 'external' && without.chain.addresses?.nodeDirectory, undefined);
  });

  it('refuses a directory that is no address and a public URL that is no http(s) base URL', () => {
    assert.throws(() => loadConfig(dir, { ...chain, TRADETWIN_NODE_DIRECTORY: 'nodes' }), ConfigError);
    for (const bad of ['node.carrier.example', 'ftp://x', 'https://x/?a=1'])
      assert.throws(() => loadConfig(dir, { TRADETWIN_PUBLIC_URL: bad }), /TRADETWIN_PUBLIC_URL must be an http\(s\) base URL/);
  });
});
