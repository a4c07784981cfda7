// `tradetwin consortium …` as a user runs it: real processes, a real chain.
//  - demo --headless --json: S1 across three node processes; the JSON's shape,
//    every node's audit OK, a payout signed by two organisations other than
//    the holder (the shipper);
//  - up: a table of N nodes, Ctrl-C stops every node process, a second up on
//    the same data dir resumes the same consortium, and killed with -9 it
//    leaves no node or chain running;
//  - bad input: --orgs 0/1/100, the demo with two organisations, a taken
//    port, an unreachable --rpc (exit 4).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hexToBytes } from 'viem';
import { freePort } from '@tradetwin/contracts/devchain';
import { signRequest } from '@tradetwin/core/peer/http-signature';
import { runCli, TRADETWIN_BIN } from '../test-support/cli.js';
import { until } from '../tlog/test-support.js';
import { EXIT } from './args.js';

// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON, asserted field by field below
type Json = any;
const json = (s: string): Json => JSON.parse(s);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('tradetwin consortium demo --headless --json', () => {
  it('plays S1 across three node processes: audits OK, a payout signed by two organisations other than the holder', async () => {
    const r = await runCli(['consortium', 'demo', '--headless', '--json'], { timeoutMs: 180_000 });
    assert.equal(r.code, EXIT.ok, r.stderr);
    const out = json(r.stdout);
    assert.deepEqual(Object.keys(out).sort(), ['nodes', 'payouts', 'replication', 'witness']);
    assert.equal(out.nodes.length, 3);
    assert.deepEqual(
      out.nodes.map((n: { slug: string }) => n.slug),
      ['carrier', 'shipper', 'insurer'],
    );
    const pids = new Set(out.nodes.map((n: { pid: number }) => n.pid));
    assert.equal(pids.size, 3, 'one process per organisation');
    assert.ok(!pids.has(process.pid));
    for (const n of out.nodes) {
      assert.equal(typeof n.org, 'string');
      assert.equal(n.audit.ok, true, `${n.org}: audit`);
    }
    assert.ok(out.nodes[0].audit.size > 0, "the carrier's log holds the container's data");
    assert.equal(out.payouts.length, 1);
    const [p] = out.payouts;
    assert.equal(p.holder.org, 'Pharma Manufacturer NV');
    assert.equal(p.signers.length, 2);
    const signerOrgs = p.signers.map((s: { org: string }) => s.org).sort();
    assert.deepEqual(signerOrgs, ['Cold Chain Insurance plc', 'Ocean Carrier Ltd']);
    for (const s of p.signers) assert.notEqual(s.address.toLowerCase(), p.holder.address.toLowerCase());
    assert.match(p.txHash, /^0x[0-9a-f]{64}$/);
    assert.ok(BigInt(p.amount) > 0n);
    assert.equal(typeof p.latencyMs, 'number');
    // The partners' mirrors of the carrier's shipment, pulled and verified over the network.
    assert.ok(out.replication.verified > 0, JSON.stringify(out.replication));
    assert.ok(out.replication.readings > 0);
    assert.equal(out.replication.refused, 0);
    assert.deepEqual(
      out.replication.byNode.map((n: { org: string; grants: number }) => [n.org, n.grants]),
      [
        ['Pharma Manufacturer NV', 1],
        ['Cold Chain Insurance plc', 1],
      ],
    );
    // Checkpoints cosigned by the other nodes' witnesses (gathered between the node processes).
    assert.ok(out.witness.cosigned > 0, JSON.stringify(out.witness));
    const carrierCheckpoint = out.witness.checkpoints.find((c: { org: string }) => c.org === 'Ocean Carrier Ltd');
    assert.equal(carrierCheckpoint.quorum, true, "the carrier's checkpoint carries both other nodes' cosignatures");
    assert.ok(carrierCheckpoint.size > 0);
    // Every node process is gone once the demo returns.
    for (const pid of pids) assert.equal(alive(pid as number), false, `node ${pid} still running`);
  });
});

describe('tradetwin consortium demo --partner-down', () => {
  it("pays with the carrier's node down: the insurer's and the consignee's oracles attest from their verified mirrors", async () => {
    const r = await runCli(['consortium', 'demo', '--headless', '--json', '--partner-down'], { timeoutMs: 180_000 });
    assert.equal(r.code, EXIT.ok, r.stderr);
    const out = json(r.stdout);
    assert.equal(out.nodes.length, 4);
    for (const n of out.nodes) assert.equal(n.audit.ok, true, `${n.org}: audit`);
    // Replicated before the carrier's node went down, by every partner.
    assert.equal(out.replication.byNode.length, 3);
    for (const n of out.replication.byNode) assert.ok(n.verified > 0, `${n.org}: nothing verified`);
    assert.equal(out.partnerDown.org, 'Ocean Carrier Ltd');
    assert.equal(out.partnerDown.reachable, false);
    const carrierOracle = out.partnerDown.oracles.find((o: { org: string }) => o.org === 'Ocean Carrier Ltd');
    assert.equal(carrierOracle.signed, false);
    assert.match(carrierOracle.error, /did not answer/);
    assert.equal(out.payouts.length, 1);
    const [p] = out.payouts;
    assert.equal(p.holder.org, 'Pharma Manufacturer NV');
    assert.deepEqual(p.signers.map((s: { org: string }) => s.org).sort(), [
      'Cold Chain Insurance plc',
      'Ministry of Health, Kenya',
    ]);
    assert.ok(BigInt(p.amount) > 0n);
  });

  it('needs four organisations, and is not combined with --fork', async () => {
    const [three, fork] = await Promise.all([
      runCli(['consortium', 'demo', '--headless', '--json', '--partner-down', '--orgs', '3']),
      runCli(['consortium', 'demo', '--headless', '--json', '--partner-down', '--fork']),
    ]);
    assert.equal(three.code, EXIT.usage);
    assert.match(json(three.stdout).error.message, /from 4/);
    assert.equal(fork.code, EXIT.usage);
    assert.match(json(fork.stdout).error.message, /choose one/);
  });
});

describe('tradetwin consortium up', () => {
  it('starts N node processes, stops them all on Ctrl-C, and resumes the same consortium', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-consortium-up-'));
    try {
      const first = await upUntilReady(dir, ['--orgs', '2']);
      assert.equal(first.ready.nodes.length, 2);
      for (const n of first.ready.nodes) {
        const res = await fetch(`${n.httpUrl}/api/v1/status`);
        assert.equal(res.status, 200);
        assert.equal(n.dataDir, join(dir, n.org === 'Ocean Carrier Ltd' ? 'carrier' : 'shipper'));
      }
      // The organisation's oracle, between nodes: an unsigned request is a 401; one signed by the carrier's
      // node key (the one it published in NodeDirectory) is heard, and a malformed request is a 400.
      // No credential was exchanged: no peers.json.
      assert.equal(existsSync(join(dir, 'carrier', 'peers.json')), false);
      const oracleUrl = `${first.ready.nodes[1].httpUrl}/peer/v1/oracle/attest`;
      const body = new TextEncoder().encode('{"policyId":"x"}');
      const unsigned = await fetch(oracleUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(unsigned.status, 401);
      assert.equal(((await unsigned.json()) as { type: string }).type.split('/').at(-1), 'unsigned_request');
      const state = JSON.parse(readFileSync(join(dir, 'consortium.json'), 'utf8')) as Json;
      const carrierOrg = state.members.find((m: { slug: string }) => m.slug === 'carrier').orgId as number;
      const secretKey = hexToBytes(readFileSync(join(dir, 'carrier', 'http-sig-key'), 'utf8').trim() as `0x${string}`);
      const signed = signRequest({ method: 'POST', url: oracleUrl, body }, { secretKey, keyid: String(carrierOrg) });
      const bad = await fetch(oracleUrl, { method: 'POST', headers: { ...signed, 'content-type': 'application/json' }, body });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { type: string }).type, /bad_attest_request/);
      // The same signature again: a replay.
      const replayed = await fetch(oracleUrl, {
        method: 'POST',
        headers: { ...signed, 'content-type': 'application/json' },
        body,
      });
      assert.equal(replayed.status, 401);
      const pids = first.ready.nodes.map((n: { httpUrl: string }) => n.httpUrl);
      assert.equal(await first.interrupt(), 0);
      for (const url of pids) await assert.rejects(fetch(`${url}/api/v1/status`), 'a node still answers after Ctrl-C');

      const second = await upUntilReady(dir, []);
      assert.deepEqual(second.ready.contracts, first.ready.contracts, 'the same contracts');
      assert.deepEqual(
        second.ready.nodes.map((n: { address: string; httpUrl: string }) => [n.address, n.httpUrl]),
        first.ready.nodes.map((n: { address: string; httpUrl: string }) => [n.address, n.httpUrl]),
      );
      // Killed with -9, `up` cannot stop anyone: its nodes see their stdin close and stop themselves,
      // and the chain's watchdog stops the chain.
      await second.kill();
      for (const url of [...pids, second.ready.rpcUrl as string])
        await until(
          `${url} stops after up was killed`,
          async () =>
            fetch(url, { signal: AbortSignal.timeout(1000) }).then(
              () => false,
              () => true,
            ),
          60_000,
        );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [what, args] of [
    ['up', ['consortium', 'up']],
    ['besu-config', ['consortium', 'besu-config', '--out', join(tmpdir(), 'tt-never-written')]],
    ['demo', ['consortium', 'demo', '--headless']],
  ] as const) {
    it(`${what}: --orgs 0, 1 and 100 are usage errors`, async () => {
      const runs = await Promise.all(['0', '1', '100'].map((n) => runCli([...args, '--orgs', n, '--json'])));
      for (const r of runs) {
        assert.equal(r.code, EXIT.usage, `${r.stdout}${r.stderr}`);
        assert.equal(json(r.stdout).error.code, 'bad_orgs');
      }
    });
  }

  it('demo: two organisations cannot play S1 (the payout needs two besides the holder)', async () => {
    const r = await runCli(['consortium', 'demo', '--headless', '--orgs', '2', '--json']);
    assert.equal(r.code, EXIT.usage);
    assert.match(json(r.stdout).error.message, /from 3/);
  });

  it('a taken port is refused before anything starts', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((res) => blocker.listen(port + 1, '127.0.0.1', () => res()));
    const dir = mkdtempSync(join(tmpdir(), 'tt-consortium-port-'));
    try {
      const r = await runCli(['consortium', 'up', '--orgs', '2', '--base-port', String(port), '--data-dir', dir, '--json']);
      assert.equal(r.code, EXIT.refused, r.stderr);
      const err = json(r.stdout).error;
      assert.equal(err.code, 'consortium_refused');
      assert.match(err.message, new RegExp(`port ${port + 1} .*taken`));
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unreachable --rpc exits 4', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'tt-consortium-rpc-'));
    try {
      const r = await runCli([
        'consortium',
        'up',
        '--orgs',
        '2',
        '--rpc',
        `http://127.0.0.1:${port}`,
        '--data-dir',
        dir,
        '--json',
      ]);
      assert.equal(r.code, EXIT.unreachable, r.stderr);
      assert.equal(json(r.stdout).error.code, 'chain_unavailable');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** `consortium up --json` in dir: resolves once it printed its nodes; interrupt() (SIGINT) and kill() (SIGKILL) wait for the exit. */
function upUntilReady(
  dir: string,
  extra: string[],
): Promise<{ ready: Json; interrupt(): Promise<number | null>; kill(): Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TRADETWIN_BIN, 'consortium', 'up', '--data-dir', dir, '--json', ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`consortium up did not get ready\n${err}`));
    }, 120_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      resolve({
        ready: JSON.parse(line),
        interrupt: () => {
          child.kill('SIGINT');
          return exited;
        },
        kill: () => {
          child.kill('SIGKILL');
          return exited;
        },
      });
    });
    exited.then((code) => reject(new Error(`consortium up exited (${code}) before it was ready\n${err}`)));
  });
}
