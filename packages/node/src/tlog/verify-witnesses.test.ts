// End to end: a real node (chain, ingest, anchoring) witnessed by two peers; its proof
// bundles carry a C2SP tlog-proof with their cosignatures, and `tradetwin verify
// --witnesses N` / `--policy FILE` requires the quorum (exit 3 without it).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProofBundle } from '@tradetwin/core/proof/bundle';
import { parseTlogProof } from '@tradetwin/core/tlog/tlog-proof';
import { runCli } from '../test-support/cli.js';
import { startRangeLimitedRpc } from '../test-support/range-limited-rpc.js';
import { deviceKey, envelope, startTestNode, type TestNode } from '../test-support/node-fixture.js';
import { type LogSide, startLogSide, until } from './test-support.js';

let t: TestNode;
let w1: LogSide;
let w2: LogSide;
let bundle: ProofBundle;
const key = deviceKey('reefer-witnessed', 2);

before(async () => {
  t = await startTestNode({ configure: (c) => (c.tlog = { pushIntervalMs: 50, pollIntervalMs: 0, allowFork: true }) });
  [w1, w2] = await Promise.all([startLogSide('w1'), startLogSide('w2')]);
  const peer = {
    orgId: 1,
    endpoint: t.node.httpUrl,
    origin: t.node.tlog.identity.origin,
    checkpointKey: t.node.tlog.identity.publicKey,
  };
  for (const w of [w1, w2]) w.tlog.peers.set([peer]);
  t.node.tlog.peers.set([w1.peer(), w2.peer()]);
  assert.equal((await t.register(key)).status, 201);
  assert.ok((await t.post([envelope(key, 1, { n: 3 })])).ok);
  await t.node.anchorer.anchorNow();
  bundle = await until('a bundle with two cosignatures', async () => {
    const b = (await (await fetch(`${t.node.httpUrl}/api/v1/readings/0:1/bundle`)).json()) as ProofBundle;
    return b.tlog && b.tlog.split('\n— ').length === 4 ? b : null;
  });
});
after(async () => {
  await Promise.all([w1?.stop(), w2?.stop()]);
  await t?.dispose();
});

const dir = () => t.dataDir;
function file(name: string, b: ProofBundle): string {
  const p = join(dir(), name);
  writeFileSync(p, JSON.stringify(b));
  return p;
}
const withoutCosigner = (b: ProofBundle, name: string): ProofBundle => ({
  ...b,
  tlog: b
    .tlog!.split('\n')
    .filter((l) => !l.startsWith(`— ${name} `))
    .join('\n'),
});

describe('tradetwin verify --witnesses / --policy', () => {
  it('the bundle carries a tlog-proof of the leaf against the cosigned checkpoint', () => {
    const p = parseTlogProof(bundle.tlog!);
    assert.equal(p.index, 0);
    assert.ok(p.checkpoint.startsWith(`${t.node.tlog.identity.origin}\n`));
  });

  it('on the node, checkpoint and hash tiles are public; entry bundles need log:read', async () => {
    const size = t.node.log.size;
    const cp = await fetch(`${t.node.httpUrl}/checkpoint`);
    assert.equal(cp.status, 200);
    assert.ok((await cp.text()).startsWith(`${t.node.tlog.identity.origin}\n`));
    const tile = await fetch(`${t.node.httpUrl}/tile/0/000.p/${size}`);
    assert.equal(tile.status, 200);
    assert.equal((await tile.arrayBuffer()).byteLength, 32 * size);
    const entries = `${t.node.httpUrl}/tile/entries/000.p/${size}`;
    assert.equal((await fetch(entries)).status, 401);
    const authorised = await fetch(entries, { headers: { authorization: `Bearer ${t.node.adminToken}` } });
    assert.equal(authorised.status, 200);
    // The witness endpoint takes text (authenticated by the checkpoint's signature), not JSON: a log it does not know is 404.
    const add = await fetch(`${t.node.httpUrl}/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'old 0\n\nnobody\n',
    });
    assert.equal(add.status, 404);
    assert.equal(add.headers.get('content-type'), 'application/problem+json');
  });

  it('--witnesses 2 passes with two cosignatures and fails (exit 3) with one', async () => {
    const keys = [
      '--log-key',
      t.node.tlog.identity.logVkey,
      '--witness-keys',
      `${w1.tlog.identity.witnessVkey},${w2.tlog.identity.witnessVkey}`,
    ];
    const ok = await runCli([
      'verify',
      file('two.json', bundle),
      '--node',
      t.node.httpUrl,
      '--rpc',
      t.node.rpcUrl,
      '--json',
      '--witnesses',
      '2',
      ...keys,
    ]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const out = JSON.parse(ok.stdout) as { verified: boolean; witnesses: { quorum: boolean; cosigners: string[] } };
    assert.equal(out.verified, true);
    assert.equal(out.witnesses.cosigners.length, 2);
    const one = file('one.json', withoutCosigner(bundle, w2.tlog.identity.witnessName));
    const bad = await runCli([
      'verify',
      one,
      '--node',
      t.node.httpUrl,
      '--rpc',
      t.node.rpcUrl,
      '--json',
      '--witnesses',
      '2',
      ...keys,
    ]);
    assert.equal(bad.code, 3, bad.stdout + bad.stderr);
    assert.equal((JSON.parse(bad.stdout) as { witnesses: { quorum: boolean } }).witnesses.quorum, false);
    // One is enough for --witnesses 1.
    assert.equal(
      (await runCli(['verify', one, '--node', t.node.httpUrl, '--rpc', t.node.rpcUrl, '--json', '--witnesses', '1', ...keys]))
        .code,
      0,
    );
  });

  it('without keys given, --witnesses reads them from NodeDirectory on chain, not from the node', async () => {
    // The node's log key is the one its NodeDirectory entry holds: the checkpoint verifies under it.
    const zero = await runCli(['verify', '0:1', '--node', t.node.httpUrl, '--rpc', t.node.rpcUrl, '--json', '--witnesses', '0']);
    assert.equal(zero.code, 0, zero.stdout + zero.stderr);
    assert.equal((JSON.parse(zero.stdout) as { witnesses: { valid: boolean } }).witnesses.valid, true);
    // w1 and w2 cosigned, and the node's status lists them; but they are no member nodes in NodeDirectory.
    const two = await runCli(['verify', '0:1', '--node', t.node.httpUrl, '--rpc', t.node.rpcUrl, '--json', '--witnesses', '2']);
    assert.notEqual(two.code, 0);
    assert.match(two.stdout, /only 0 witness keys are known/);
    const bad = await runCli([
      'verify',
      '0:1',
      '--node',
      t.node.httpUrl,
      '--rpc',
      t.node.rpcUrl,
      '--json',
      '--witnesses',
      '1',
      '--node-directory',
      'nope',
    ]);
    assert.match(bad.stdout, /--node-directory must be a contract address/);
  });

  it('reads NodeDirectory in block chunks, through an RPC that limits eth_getLogs ranges as Besu does', async () => {
    // The test chain is a few dozen blocks long; an RPC that allows 5 blocks per query stands for a long
    // chain behind Besu's 5,000 (--rpc-max-logs-range).
    const rpc = await startRangeLimitedRpc(t.node.rpcUrl, 5);
    const verify = (...more: string[]) =>
      runCli(['verify', '0:1', '--node', t.node.httpUrl, '--rpc', rpc.url, '--json', '--witnesses', '0', ...more]);
    try {
      const whole = await verify();
      assert.equal(whole.code, 4, whole.stdout + whole.stderr);
      assert.match(whole.stdout, /cannot read NodeDirectory .*exceeds defined limit/);
      assert.ok(rpc.refused > 0);
      const refused = rpc.refused;
      const chunked = await verify('--log-range', '5');
      assert.equal(chunked.code, 0, chunked.stdout + chunked.stderr);
      assert.equal((JSON.parse(chunked.stdout) as { witnesses: { valid: boolean } }).witnesses.valid, true);
      assert.equal(rpc.refused, refused, 'no eth_getLogs over more than the limit');
      assert.match((await verify('--log-range', '0')).stdout, /--log-range must be a number of blocks/);
    } finally {
      await rpc.close();
    }
  });

  it('a tampered cosignature fails the bundle (exit 3)', async () => {
    const tampered = {
      ...bundle,
      tlog: bundle.tlog!.replace(
        new RegExp(`(— ${w1.tlog.identity.witnessName.replace(/[.]/g, '\\.')} \\S{30})(\\S)`),
        (_m, a: string, ch: string) => a + (ch === 'A' ? 'B' : 'A'),
      ),
    };
    assert.notEqual(tampered.tlog, bundle.tlog);
    const r = await runCli([
      'verify',
      file('tampered.json', tampered),
      '--node',
      t.node.httpUrl,
      '--rpc',
      t.node.rpcUrl,
      '--json',
      '--witnesses',
      '1',
      // w1 and w2 are no member nodes (not in NodeDirectory): their keys are given.
      '--log-key',
      t.node.tlog.identity.logVkey,
      '--witness-keys',
      `${w1.tlog.identity.witnessVkey},${w2.tlog.identity.witnessVkey}`,
    ]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match((JSON.parse(r.stdout) as { witnesses: { detail: string } }).witnesses.detail, /bad_signature/);
  });

  it('--policy FILE applies a C2SP tlog-policy; a broken policy is a usage error', async () => {
    const policy = join(dir(), 'policy.txt');
    writeFileSync(
      policy,
      `log ${t.node.tlog.identity.logVkey}\nwitness A ${w1.tlog.identity.witnessVkey}\nwitness B ${w2.tlog.identity.witnessVkey}\ngroup both all A B\nquorum both\n`,
    );
    assert.equal(
      (await runCli(['verify', file('p.json', bundle), '--node', t.node.httpUrl, '--rpc', t.node.rpcUrl, '--policy', policy]))
        .code,
      0,
    );
    const one = file('p1.json', withoutCosigner(bundle, w1.tlog.identity.witnessName));
    const r = await runCli(['verify', one, '--node', t.node.httpUrl, '--rpc', t.node.rpcUrl, '--policy', policy]);
    assert.equal(r.code, 3);
    assert.match(r.stdout, /witnesses: .*quorum NOT met/);
    writeFileSync(policy, 'quorum nobody\n');
    assert.equal((await runCli(['verify', one, '--node', t.node.httpUrl, '--rpc', t.node.rpcUrl, '--policy', policy])).code, 2);
  });

  it('POST /api/v1/admin/tlog/fork (demo only) makes the node equivocate; both witnesses catch and flag it', async () => {
    const unauthorised = await fetch(`${t.node.httpUrl}/api/v1/admin/tlog/fork`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(unauthorised.status, 401);
    const res = await fetch(`${t.node.httpUrl}/api/v1/admin/tlog/fork`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.node.adminToken}` },
      body: JSON.stringify({ kind: 'same-size' }),
    });
    assert.equal(res.status, 200);
    const out = (await res.json()) as { submitted: { status: number }[] };
    assert.deepEqual(
      out.submitted.map((s) => s.status),
      [422, 422],
    );
    for (const w of [w1, w2]) {
      const st = await w.tlog.status();
      assert.deepEqual(
        st.flagged.map((f) => f.origin),
        [t.node.tlog.identity.origin],
      );
    }
  });
});
