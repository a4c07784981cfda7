// `tradetwin document add|list|get` against a real node, as a user runs them: a
// bill of lading added from a file is listed and saved back byte for byte
// (checked against its logged SHA-256); bad types, names, media types, a missing
// or oversized file and a bad index exit 2 naming the flag, with nothing logged;
// an unknown shipment and a caller without documents:write are refused (exit 1);
// a content changed beside the log is not saved (exit 3), one erased is listed as missing.
import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_DOCUMENT_BYTES } from '@tradetwin/core/document/document';
import type { DocumentJson } from '@tradetwin/core/wire/documents';
import { openRawDatabase } from '../storage/test-support.js';
import { runCli } from '../test-support/cli.js';
import { CliError, EXIT } from './args.js';
import { documentFromFlags } from './document.js';
import { startTestNode, type TestNode, testDatabaseUrl } from '../test-support/node-fixture.js';

const SHIPMENT = 'SHP-DOCS-CLI';
const BL = '%PDF-1.4\nbill of lading MSCU1234567: 40 bags of coffee, Santos → Antwerp\n%%EOF\n';

describe('tradetwin document', () => {
  let t: TestNode;
  let dir: string[];
  let file: string;
  before(async () => {
    t = await startTestNode();
    dir = ['--data-dir', t.dataDir];
    await t.node.shipments.putShipment(
      { id: SHIPMENT, goods: { description: 'coffee' }, parties: [], legs: [], devices: [], rules: [] },
      Date.now(),
    );
    file = join(t.dataDir, 'bl MSCU1234567.pdf');
    writeFileSync(file, BL);
  });
  after(() => t?.dispose());

  it('adds a document from a file (media type from its extension), lists it and saves it back byte for byte', async () => {
    const added = await runCli([
      'document',
      'add',
      '--shipment',
      SHIPMENT,
      '--type',
      'bill-of-lading',
      '--file',
      file,
      ...dir,
      '--json',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const d = JSON.parse(added.stdout) as DocumentJson;
    assert.equal(d.name, 'bl MSCU1234567.pdf');
    assert.equal(d.mediaType, 'application/pdf');
    assert.equal(d.size, Buffer.byteLength(BL));
    const plain = await runCli([
      'document',
      'add',
      '--shipment',
      SHIPMENT,
      '--type',
      'other',
      '--file',
      file,
      '--media-type',
      'text/plain',
      '--name',
      'copy.txt',
      ...dir,
    ]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(
      plain.stdout,
      new RegExp(`^added to ${SHIPMENT}: #\\d+  other  copy\\.txt  text/plain  ${d.size} bytes  sha256 ${d.sha256}`),
    );

    const listed = await runCli(['document', 'list', '--shipment', SHIPMENT, ...dir, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const docs = JSON.parse(listed.stdout) as DocumentJson[];
    assert.deepEqual(docs[0], d);
    assert.equal(docs.length, 2);
    const text = await runCli(['document', 'list', '--shipment', SHIPMENT, ...dir]);
    assert.match(text.stdout, new RegExp(`#${d.leafIndex}  bill-of-lading  bl MSCU1234567\\.pdf  application/pdf`));

    const target = join(t.dataDir, 'saved.pdf');
    const got = await runCli([
      'document',
      'get',
      '--shipment',
      SHIPMENT,
      '--index',
      String(d.leafIndex),
      '--out',
      target,
      ...dir,
      '--json',
    ]);
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(JSON.parse(got.stdout), {
      shipmentId: SHIPMENT,
      leafIndex: d.leafIndex,
      mediaType: 'application/pdf',
      sha256: d.sha256,
      size: d.size,
      out: target,
    });
    assert.equal(readFileSync(target, 'utf8'), BL);
  });

  it('bad input exits 2 naming the flag, and nothing is logged', async () => {
    const size = t.node.log.size;
    const big = join(t.dataDir, 'big.bin');
    writeFileSync(big, '');
    truncateSync(big, MAX_DOCUMENT_BYTES + 1);
    const empty = join(t.dataDir, 'empty.pdf');
    writeFileSync(empty, '');
    // The checks themselves, in process (each as the command makes them before sending anything) …
    const flags = (over: Record<string, string | undefined>) => ({ shipment: SHIPMENT, type: 'other', file, ...over });
    for (const [over, message] of [
      [{ type: 'invoice' }, /^--type: type must be one of commercial-invoice, /],
      [{ type: undefined }, /^--type is required/],
      [{ file: undefined }, /^--file is required/],
      [{ file: join(t.dataDir, 'nope.pdf') }, /^--file .*nope\.pdf is not a file/],
      [{ file: empty }, /is empty/],
      [{ file: big }, new RegExp(`is ${MAX_DOCUMENT_BYTES + 1} bytes; a document is at most ${MAX_DOCUMENT_BYTES}`)],
      [{ 'media-type': 'pdf' }, /^--media-type: mediaType must be an RFC 6838 type\/subtype/],
      [{ name: 'a/b.pdf' }, /^--name: name must be a file name/],
      [{ shipment: 'bad id' }, /^--shipment: shipmentId must be/],
    ] as const) {
      assert.throws(
        () => documentFromFlags(flags(over)),
        (e: unknown) => e instanceof CliError && e.exitCode === EXIT.usage && message.test(e.message),
        String(message),
      );
    }
    // … and through the command: exit 2 with the message.
    for (const [args, message] of [
      [['document', 'add', '--shipment', SHIPMENT, '--type', 'invoice', '--file', file], /--type: type must be one of/],
      [['document', 'get', '--shipment', SHIPMENT, '--index', 'first', '--out', 'x'], /--index must be a document's leaf index/],
    ] as const) {
      const r = await runCli([...args, ...dir]);
      assert.equal(r.code, 2, `${message}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(t.node.log.size, size, 'nothing logged');
  });

  it('an unknown shipment, an unknown document and a caller without documents:write are refused (exit 1)', async () => {
    const size = t.node.log.size;
    const unknown = await runCli(['document', 'add', '--shipment', 'SHP-NOPE', '--type', 'other', '--file', file, ...dir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no shipment SHP-NOPE/);
    const missing = await runCli([
      'document',
      'get',
      '--shipment',
      SHIPMENT,
      '--index',
      '999999',
      '--out',
      join(t.dataDir, 'x'),
      ...dir,
      '--json',
    ]);
    assert.equal(missing.code, 1);
    assert.equal((JSON.parse(missing.stdout) as { error: { code: string } }).error.code, 'no_such_document');
    const { token } = await t.node.access.createCredential('reader', ['shipments:read']);
    const refused = await runCli([
      'document',
      'add',
      '--shipment',
      SHIPMENT,
      '--type',
      'other',
      '--file',
      file,
      '--node',
      t.node.httpUrl,
      '--token',
      token,
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /needs documents:write/);
    assert.equal(t.node.log.size, size, 'nothing logged');
    const reads = await runCli(['document', 'list', '--shipment', SHIPMENT, '--node', t.node.httpUrl, '--token', token]);
    assert.equal(reads.code, 0, reads.stderr);
  });

  it('get of a content changed beside the log exits 3 (document_tampered) and saves nothing; a content erased is listed as missing', async () => {
    const added = await runCli(['document', 'add', '--shipment', SHIPMENT, '--type', 'other', '--file', file, ...dir, '--json']);
    assert.equal(added.code, 0, added.stderr);
    const d = JSON.parse(added.stdout) as DocumentJson;
    const db = await openRawDatabase({ dataDir: t.dataDir, url: testDatabaseUrl(t.dataDir) });
    const target = join(t.dataDir, 'tampered.pdf');
    try {
      await db.run(
        'UPDATE documents SET content = ? WHERE leaf_index = ?',
        new Uint8Array(Buffer.from(BL.toUpperCase())),
        d.leafIndex,
      );
      const got = await runCli([
        'document',
        'get',
        '--shipment',
        SHIPMENT,
        '--index',
        String(d.leafIndex),
        '--out',
        target,
        ...dir,
      ]);
      assert.equal(got.code, EXIT.notVerified, got.stderr);
      assert.match(got.stderr, new RegExp(`leaf ${d.leafIndex}\\b.*document_tampered`));
      assert.throws(() => readFileSync(target), /ENOENT/, 'nothing saved');
      await db.run('UPDATE documents SET content = NULL WHERE leaf_index = ?', d.leafIndex);
    } finally {
      await db.close();
    }
    const text = await runCli(['document', 'list', '--shipment', SHIPMENT, ...dir]);
    assert.match(text.stdout, new RegExp(`#${d.leafIndex}  other .*  content missing$`, 'm'));
  });
});
