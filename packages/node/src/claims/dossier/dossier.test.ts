// The claim dossier of scenario S1's payout, on a real node, chain and
// contracts: one signed ZIP whose PDF a person reads, whose CSV and proof
// bundles a third party re-verifies offline, whose manifest hash the node
// signed and logged; a changed file is named; an unknown policy is a clear
// 404 (exit 1 in the CLI) that writes nothing; only who may read the shipment
// gets its dossier.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unzipSync, zipSync } from 'fflate';
import { decodePDFRawStream, PDFDocument, PDFRawStream } from 'pdf-lib';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { computePayout } from '@tradetwin/contracts/cover';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import { type BandExcursion, claimFields } from '@tradetwin/core/rules/index';
import { type DemoResult, journeyStart, runDemo } from '../../demo/run.js';
import { BAND_RULE_ID, SHIPMENT_ID } from '../../demo/scenario.js';
import { runCli } from '../../test-support/cli.js';
import { startTestNode, type TestNode } from '../../test-support/node-fixture.js';
import { DOSSIER_HEADERS } from './routes.js';
import { signedMessage } from './package-format.js';
import { verifyDossier } from './verify.js';

let t: TestNode;
let demo: DemoResult;
let work: string;

const dossierUrl = (shipment = SHIPMENT_ID) => `${t.node.httpUrl}/api/v1/shipments/${encodeURIComponent(shipment)}/dossiers`;
const ask = (body: unknown, token: string | null = t.node.adminToken, shipment?: string) =>
  fetch(dossierUrl(shipment), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

/** The text the PDF shows: pdf-lib writes standard-font text as hex strings in Flate content streams. */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(bytes);
  const out: string[] = [];
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFRawStream)) continue;
    const content = Buffer.from(decodePDFRawStream(obj).decode()).toString('latin1');
    for (const m of content.matchAll(/<([0-9A-Fa-f]*)> Tj/g)) out.push(Buffer.from(m[1]!, 'hex').toString('latin1'));
  }
  return out.join('\n');
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'tt-dossier-'));
  const start = journeyStart(Date.now());
  t = await startTestNode({
    configure: (c) => {
      if (c.chain.mode === 'embedded') c.chain.genesisTimestamp = Math.floor((start - 3600_000) / 1000);
      c.explorer = { txUrl: 'https://explorer.example/tx/{tx}' };
    },
  });
  demo = await runDemo(t.node, start, () => undefined);
  assert.equal(demo.payouts.length, 1, 'the demo paid the policy');
});

after(async () => {
  await t?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('claim dossier of the S1 payout', () => {
  it('is one signed package: a PDF report a person reads, the readings CSV, every proof bundle, a manifest; its hash is logged', async () => {
    const policyId = demo.payouts[0]!.policyId;
    const res = await ask({ policyId });
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal(res.headers.get('content-type'), 'application/zip');
    const zip = new Uint8Array(await res.arrayBuffer());
    const files = unzipSync(zip);
    const names = Object.keys(files);
    for (const f of [
      'manifest.json',
      'signature.json',
      'log-receipt.json',
      'report.pdf',
      'readings.csv',
      'claim.json',
      'verification.json',
    ])
      assert.ok(names.includes(f), `${f} in the package`);
    const bundles = names.filter((n) => n.startsWith('bundles/'));
    const x = demo.excursions.find((e): e is BandExcursion => e.kind === 'band' && e.ruleId === BAND_RULE_ID)!;
    // Every reading from the first outside the band to the closing one: 5-minute readings over ~100 minutes.
    assert.ok(bundles.length >= 15, `${bundles.length} bundles`);
    for (const id of Object.values(x.evidence.readingIds))
      assert.ok(bundles.includes(`bundles/reading-${id.replace(':', '-')}.json`), `bundle of the ${id} reading`);

    // The manifest lists every other file with its SHA-256.
    const manifest = JSON.parse(Buffer.from(files['manifest.json']!).toString()) as { files: { path: string }[] };
    assert.deepEqual(
      manifest.files.map((f) => f.path).sort(),
      names.filter((n) => !['manifest.json', 'signature.json', 'log-receipt.json'].includes(n)).sort(),
    );

    // The PDF parses and says what a claims handler needs.
    const pdf = await PDFDocument.load(files['report.pdf']!);
    assert.ok(pdf.getPageCount() >= 1);
    assert.match(pdf.getTitle() ?? '', new RegExp(`policy #${policyId}`));
    const text = await pdfText(files['report.pdf']!);
    const expected = computePayout(
      { sumInsured: 250_000_000_000n, toleranceMinutes: 30, catastrophicMinutes: 240, payoutPerHourBps: 2000 },
      claimFields(x).minutesOutside,
    );
    assert.equal(expected, 100_000_000_000n);
    for (const needle of [
      'Policy terms (read from the chain)',
      '250,000.00 tUSD',
      '100,000.00 tUSD',
      'Started hours',
      'Cold Chain Insurance plc',
      'Pharma Manufacturer NV',
      'first',
      'peak',
      'last',
      'above the 8',
      'https://explorer.example/tx/',
      'Claim paid',
      'Log audit: passed',
    ])
      assert.ok(text.includes(needle), `the report says "${needle}"`);

    // The CSV: a header, and the excursion's readings marked against the band.
    const csv = Buffer.from(files['readings.csv']!).toString('utf8').split('\r\n');
    assert.match(csv[0]!, /^reading_id,device_id,seq,time_utc,time_ms,kind,value,unit,limit,outside_by,in_excursion$/);
    const peak = csv.find((l) => l.startsWith(`${x.evidence.readingIds.peak},`));
    assert.ok(peak?.endsWith(',yes'), peak);
    assert.ok(
      csv.some((l) => l.includes(',pos,')),
      'tracker positions beside the temperatures',
    );

    // Signed by the node's account; the signature is in the node's log as a 'dossier' leaf.
    const sig = JSON.parse(Buffer.from(files['signature.json']!).toString()) as { signer: string; manifestSha256: string };
    assert.equal(sig.signer, t.node.address);
    assert.equal(res.headers.get(DOSSIER_HEADERS.signer), t.node.address);
    const index = Number(res.headers.get(DOSSIER_HEADERS.logIndex));
    const leaf = await t.node.store.leaf(index);
    assert.ok(leaf);
    const rec = decodeLeaf(leaf.data);
    assert.equal(rec.kind, 'dossier');
    assert.equal((JSON.parse(Buffer.from(rec.body).toString()) as { manifestSha256: string }).manifestSha256, sig.manifestSha256);

    // Offline: the package verifies, signed by the node; every bundle passes the checks that need no chain.
    const report = await verifyDossier(zip, { expectSigner: t.node.address });
    assert.equal(report.ok, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
    assert.equal(report.bundles, bundles.length);
    writeFileSync(join(work, 'dossier.zip'), zip);
  });

  it('names the file that was changed, added or re-signed after signing', async () => {
    const files = unzipSync(readFileSync(join(work, 'dossier.zip')));
    const rezip = (f: Record<string, Uint8Array>) => zipSync(f);

    const csv = Buffer.from(files['readings.csv']!)
      .toString('utf8')
      .replace(/,yes\r\n/, ',\r\n');
    const tampered = rezip({ ...files, 'readings.csv': new TextEncoder().encode(csv) });
    const r1 = await verifyDossier(tampered);
    assert.equal(r1.ok, false);
    assert.deepEqual(
      r1.checks.filter((c) => !c.ok).map((c) => [c.file, c.check]),
      [['readings.csv', 'sha256']],
    );
    writeFileSync(join(work, 'tampered.zip'), tampered);
    const cli = await runCli(['claim', 'verify-dossier', join(work, 'tampered.zip')]);
    assert.equal(cli.code, 3, 'not verified');
    assert.match(cli.stdout, /✘ readings\.csv: sha256 0x[0-9a-f]{64} does not match the manifest's/);
    assert.match(cli.stdout, /NOT VERIFIED: readings\.csv/);

    const added = await verifyDossier(rezip({ ...files, 'bundles/extra.json': new TextEncoder().encode('{}') }));
    assert.deepEqual(
      added.checks.filter((c) => !c.ok).map((c) => c.file),
      ['bundles/extra.json'],
    );

    // Someone else signs the same manifest: not the issuer the manifest names.
    const other = privateKeyToAccount(generatePrivateKey());
    const sig = JSON.parse(Buffer.from(files['signature.json']!).toString()) as { manifestSha256: `0x${string}` };
    const forged = {
      ...sig,
      signer: other.address,
      signature: await other.signMessage({ message: signedMessage(sig.manifestSha256) }),
    };
    const r3 = await verifyDossier(rezip({ ...files, 'signature.json': new TextEncoder().encode(JSON.stringify(forged)) }));
    assert.equal(r3.ok, false);
    assert.ok(r3.checks.some((c) => c.file === 'signature.json' && !c.ok && /issuer/.test(c.detail)));
  });

  it('from the CLI: claim dossier writes the package; verify-dossier and verify re-check it against the chain', async () => {
    const out = join(work, 'cli-dossier.zip');
    const node = ['--node', t.node.httpUrl, '--token', t.node.adminToken];
    const r = await runCli(['claim', 'dossier', String(demo.payouts[0]!.policyId), '--out', out, '--json', ...node]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(summary.file, out);
    assert.equal(summary.shipmentId, SHIPMENT_ID);
    assert.equal(summary.signer, t.node.address);
    assert.match(String(summary.sha256), /^0x[0-9a-f]{64}$/);
    assert.equal(typeof summary.logIndex, 'number');
    assert.equal(summary.bytes, readFileSync(out).length);

    const v = await runCli(['claim', 'verify-dossier', out, '--rpc', t.node.rpcUrl, '--signer', t.node.address, '--json']);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const verdict = JSON.parse(v.stdout) as { verified: boolean; bundles: number; bundlesComplete: number };
    assert.equal(verdict.verified, true);
    assert.equal(verdict.bundlesComplete, verdict.bundles, 'every bundle verified against the chain too');

    // An extracted bundle is what `tradetwin verify` reads.
    const files = unzipSync(readFileSync(out));
    const name = Object.keys(files).find((n) => n.startsWith('bundles/'))!;
    const bundleFile = join(work, 'bundle.json');
    writeFileSync(bundleFile, files[name]!);
    const one = await runCli(['verify', bundleFile, '--rpc', t.node.rpcUrl]);
    assert.equal(one.code, 0, one.stdout + one.stderr);
    assert.match(one.stdout, /VERIFIED reading/);

    // An excursion's dossier by its id, the shipment found by the CLI.
    const x = demo.excursions.find((e) => e.kind === 'band' && e.ruleId === BAND_RULE_ID)!;
    const byExcursion = await runCli(['claim', 'dossier', x.id, '--out', join(work, 'x.zip'), '--json', ...node]);
    assert.equal(byExcursion.code, 0, byExcursion.stderr);
    assert.equal((JSON.parse(byExcursion.stdout) as { excursionId: string }).excursionId, x.id);
  });

  it('an excursion nothing was paid for: its evidence, and why the policy does not pay it', async () => {
    const shock = demo.excursions.find((e) => e.kind === 'threshold');
    assert.ok(shock, 'S1 has a 15 g shock');
    const res = await ask({ excursionId: shock.id });
    assert.equal(res.status, 201, await res.clone().text());
    const zip = new Uint8Array(await res.arrayBuffer());
    const text = await pdfText(unzipSync(zip)['report.pdf']!);
    assert.ok(text.includes('Excursion dossier - shipment SHP-VAX-2026-0001'));
    assert.ok(text.includes('pays for temperature excursions only'), 'says why nothing is due');
    assert.ok(text.includes('above the 10 g maximum'), 'the shock against its limit');
    assert.equal((await verifyDossier(zip)).ok, true);
  });

  it('an unknown policy: a 404 problem, exit 1 from the CLI, and no file written', async () => {
    const res = await ask({ policyId: 999 });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const p = (await res.json()) as { type: string; detail: string };
    assert.match(p.type, /unknown_policy$/);
    assert.match(p.detail, /policy 999 does not cover shipment SHP-VAX-2026-0001/);
    assert.equal((await ask({ policyId: 1 }, t.node.adminToken, 'NO-SUCH-SHIPMENT')).status, 404);
    assert.equal((await ask({ policyId: 1, excursionId: '0x00' })).status, 400);

    const out = join(work, 'none.zip');
    const node = ['--node', t.node.httpUrl, '--token', t.node.adminToken];
    const r = await runCli(['claim', 'dossier', '999', '--out', out, ...node]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /policy 999 covers no shipment on this node/);
    const direct = await runCli(['claim', 'dossier', '999', '--shipment', SHIPMENT_ID, '--out', out, ...node]);
    assert.equal(direct.code, 1);
    assert.match(direct.stderr, /HTTP 404: policy 999 does not cover shipment/);
    assert.equal(existsSync(out), false);
    const bad = await runCli(['claim', 'dossier', 'policy-one', '--out', out, ...node]);
    assert.equal(bad.code, 2);
  });

  it('only who may read the shipment gets its dossier', async () => {
    const body = { policyId: demo.payouts[0]!.policyId };
    const size = t.node.log.size;
    assert.equal((await ask(body, null)).status, 401);
    const logOnly = (await t.node.access.createCredential('auditor', ['log:read'])).token;
    assert.equal((await ask(body, logOnly)).status, 403);
    const otherShipment = (await t.node.access.createCredential('other partner', ['shipments:read:SHP-OTHER'])).token;
    assert.equal((await ask(body, otherShipment)).status, 403);
    assert.equal(t.node.log.size, size, 'a refused request logs nothing');
    const thisShipment = (await t.node.access.createCredential('partner', [`shipments:read:${SHIPMENT_ID}`])).token;
    assert.equal((await ask(body, thisShipment)).status, 201);
    const reader = (await t.node.access.createCredential('reader', ['shipments:read'])).token;
    assert.equal((await ask(body, reader)).status, 201);
  });
});
