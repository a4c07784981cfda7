// besu-config against Besu's documented formats (Besu cannot run here): the
// QBFT genesis fields, extraData decoded with viem's RLP, validators derived
// from the node keys written, enode ids from their public keys, every
// config.toml parsed as TOML, every TradeTwin config.json loaded by the node's
// own configuration loader, keys 0600.
import { holdsAdmission } from '../chain/governance.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { parse as parseToml } from 'smol-toml';
import { bytesToHex, fromRlp, type Hex, hexToBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { fundAccount, startDevChain } from '@tradetwin/contracts/devchain';
import { createChainClients } from '../chain/clients.js';
import { memberCount, orgOf } from '../chain/members.js';
import { loadConfig } from '../config.js';
import { BFT_MIX_HASH, besuConsortium, deployBesuConsortium, qbftExtraData, writeBesuConsortium } from './besu.js';

describe('consortium besu-config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tt-besu-'));
  const c = besuConsortium({ orgs: 4, chainId: 4242, timestamp: 1_700_000_000 });
  writeBesuConsortium(dir, c);
  const read = (p: string) => readFileSync(join(dir, p), 'utf8');
  const genesis = JSON.parse(read('genesis.json'));

  it('genesis: QBFT config, BFT genesis block fields, free gas, allocs for the TradeTwin accounts', () => {
    assert.equal(genesis.config.chainId, 4242);
    assert.deepEqual(Object.keys(genesis.config.qbft).sort(), ['blockperiodseconds', 'epochlength', 'requesttimeoutseconds']);
    for (const v of Object.values(genesis.config.qbft)) assert.ok(Number.isInteger(v) && (v as number) > 0);
    assert.equal(genesis.config.ibft2, undefined);
    for (const k of ['berlinBlock', 'londonBlock', 'shanghaiTime', 'cancunTime']) assert.equal(genesis.config[k], 0, k);
    assert.equal(genesis.config.zeroBaseFee, true);
    assert.equal(genesis.baseFeePerGas, '0x0');
    assert.equal(genesis.difficulty, '0x1');
    assert.equal(genesis.nonce, '0x0');
    assert.equal(genesis.mixHash, BFT_MIX_HASH);
    assert.equal(Buffer.from(BFT_MIX_HASH.slice(2), 'hex').toString('latin1'), 'ctical byzantine fault tolerance');
    assert.equal(Number(genesis.timestamp), 1_700_000_000);
    assert.match(genesis.gasLimit, /^0x[0-9a-f]+$/);
    assert.match(genesis.coinbase, /^0x0{40}$/);
    assert.deepEqual(Object.keys(genesis.alloc).sort(), c.members.map((m) => m.account.slice(2).toLowerCase()).sort());
  });

  it('extraData is RLP([32 zero bytes, [validators], [], 0x, []]) with the addresses of the node keys written', () => {
    const decoded = fromRlp(genesis.extraData as Hex, 'hex') as unknown[];
    assert.equal(decoded.length, 5);
    const [vanity, validators, votes, round, seals] = decoded as [Hex, Hex[], Hex[], Hex, Hex[]];
    assert.equal(vanity, `0x${'00'.repeat(32)}`);
    assert.deepEqual(votes, []);
    assert.equal(round, '0x');
    assert.deepEqual(seals, []);
    const fromKeys = c.members.map((m) => privateKeyToAccount(read(`besu/${m.slug}/key`).trim() as Hex).address.toLowerCase());
    assert.deepEqual(validators, fromKeys);
    assert.equal(new Set(validators).size, 4);
    // One validator, byte by byte: list header f83a, a0 + vanity, d5 94 + address, c0 (votes), 80 (round), c0 (seals).
    const one = qbftExtraData(['0x9811ebc35d7b06b3fa8dc5809a1f9c52751e1deb']);
    assert.equal(one, `0xf83aa0${'00'.repeat(32)}d5949811ebc35d7b06b3fa8dc5809a1f9c52751e1debc080c0`);
  });

  it('node keys are 0600; enode ids are the keys’ public keys; static nodes list every validator', () => {
    const staticNodes = JSON.parse(read('besu/static-nodes.json')) as string[];
    assert.equal(staticNodes.length, 4);
    for (const m of c.members) {
      for (const p of [`besu/${m.slug}/key`, `tradetwin/${m.slug}/node-key`]) {
        assert.equal(statSync(join(dir, p)).mode & 0o777, 0o600, p);
      }
      const key = read(`besu/${m.slug}/key`).trim();
      assert.match(key, /^0x[0-9a-f]{64}$/);
      const pub = bytesToHex(secp256k1.getPublicKey(hexToBytes(key as Hex), false).slice(1)).slice(2);
      assert.equal(m.enodeId, pub);
      assert.equal(read(`besu/${m.slug}/key.pub`).trim(), `0x${pub}`);
      assert.ok(staticNodes.includes(`enode://${pub}@${m.besu.ip}:${m.besu.p2pPort}`));
    }
  });

  it('every config.toml parses as TOML: RPC on distinct ports, the other validators as bootnodes, free gas', () => {
    const rpcPorts = new Set<number>();
    const p2pPorts = new Set<number>();
    for (const m of c.members) {
      const t = parseToml(read(`besu/${m.slug}/config.toml`)) as Record<string, unknown>;
      assert.equal(t['rpc-http-enabled'], true);
      assert.ok((t['rpc-http-api'] as string[]).includes('QBFT'));
      rpcPorts.add(t['rpc-http-port'] as number);
      p2pPorts.add(t['p2p-port'] as number);
      assert.equal(t['min-gas-price'], 0);
      assert.equal(t['genesis-file'], '/config/genesis.json');
      assert.equal(t['node-private-key-file'], '/config/node/key');
      const boot = t.bootnodes as string[];
      assert.equal(boot.length, 3);
      assert.ok(!boot.some((e) => e.includes(m.enodeId)));
      for (const e of boot) assert.match(e, /^enode:\/\/[0-9a-f]{128}@\d+\.\d+\.\d+\.\d+:\d+$/);
    }
    assert.equal(rpcPorts.size, 4);
    assert.equal(p2pPorts.size, 4);
  });

  it("every TradeTwin config.json loads with the node's loader: external chain on its Besu node, gas price 0", () => {
    for (const m of c.members) {
      const cfg = loadConfig(join(dir, 'tradetwin', m.slug), {});
      assert.equal(cfg.orgName, m.name);
      assert.equal(cfg.chain.mode, 'external');
      if (cfg.chain.mode !== 'external') continue;
      assert.equal(cfg.chain.rpcUrl, `http://${m.besu.ip}:${m.besu.rpcPort}`);
      assert.equal(cfg.chain.chainId, 4242);
      assert.equal(cfg.chain.gasPrice, 0);
      // What it registers in NodeDirectory: reachable by the other organisations' nodes, not 0.0.0.0.
      assert.equal(cfg.peer?.publicUrl, `http://${m.tradetwin.ip}:${m.tradetwin.httpPort}`);
      assert.equal(cfg.consortium?.oracle, true);
      const account = privateKeyToAccount(read(`tradetwin/${m.slug}/node-key`).trim() as Hex).address;
      assert.equal(account, m.account);
    }
    const members = JSON.parse(read('members.json'));
    assert.deepEqual(
      members.members.map((x: { account: string }) => x.account),
      c.members.map((m) => m.account),
    );
  });

  it('the compose file has a Besu and a TradeTwin service per organisation, mounting files that exist', () => {
    const compose = read('docker-compose.yml');
    for (const m of c.members) {
      assert.match(compose, new RegExp(`^  besu-${m.slug}:$`, 'm'));
      assert.match(compose, new RegExp(`^  tradetwin-${m.slug}:$`, 'm'));
      for (const ip of [m.besu.ip, m.tradetwin.ip])
        assert.match(compose, new RegExp(`ipv4_address: ${ip.replaceAll('.', '\\.')}$`, 'm'));
    }
    for (const [, host] of compose.matchAll(/^\s+- \.\/([^:]+):/gm)) statSync(join(dir, host!));
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('consortium deploy (on any EVM endpoint; a dev chain here)', () => {
  it('the first member deploys and admits every member; every config.json then names the contracts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-besu-deploy-'));
    const chain = await startDevChain({ chainId: 31337 });
    try {
      const c = besuConsortium({ orgs: 3, chainId: 31337 });
      writeBesuConsortium(dir, c);
      await fundAccount(chain.rpcUrl, c.members[0]!.account, 10n ** 21n);
      const d = await deployBesuConsortium(dir, { rpcUrl: chain.rpcUrl, gasPrice: 'auto' });
      assert.deepEqual(d.orgIds, [1, 2, 3]);
      const reader = createChainClients({
        rpcUrl: chain.rpcUrl,
        chainId: 31337,
        signerKey: `0x${'11'.repeat(32)}`,
        gasPrice: 'auto',
        pollingIntervalMs: 100,
      });
      assert.equal(await memberCount(reader, d.addresses.memberRegistry), 3);
      // Genesis ends at deployment: admission belongs to the governance contract, not the deployer.
      assert.ok(d.addresses.governance);
      assert.equal(await holdsAdmission(reader, d.addresses.memberRegistry, c.members[0]!.account as `0x${string}`), false);
      assert.equal(await holdsAdmission(reader, d.addresses.memberRegistry, d.addresses.governance), true);
      for (const [i, m] of c.members.entries()) {
        assert.equal(await orgOf(reader, d.addresses.memberRegistry, m.account), i + 1);
        const cfg = loadConfig(join(dir, 'tradetwin', m.slug), {});
        assert.ok(cfg.chain.mode === 'external' && cfg.chain.addresses);
        assert.deepEqual(cfg.chain.addresses, d.addresses);
      }
      // A network of another chain id is refused before anything is sent.
      const other = mkdtempSync(join(tmpdir(), 'tt-besu-other-'));
      writeBesuConsortium(other, besuConsortium({ orgs: 2, chainId: 4242 }));
      await assert.rejects(
        deployBesuConsortium(other, { rpcUrl: chain.rpcUrl, gasPrice: 'auto' }),
        /serves chain 31337.*chain 4242/,
      );
      rmSync(other, { recursive: true, force: true });
    } finally {
      await chain.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
