// `tradetwin epcis hash|validate` run as a user would, on the CBV 2.0 §8.9
// reference vectors (shared/standards/eventhash: RalphTro/epcis-event-hash-generator
// tests/examples, MIT) and a GS1 EPCIS 2.0 example (shared/standards/epcis/examples).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { runCli } from '../test-support/cli.js';

const STANDARDS = fileURLToPath(new URL('../../../../../shared/standards/', import.meta.url));
const VECTORS = join(STANDARDS, 'eventhash');
const vectorFiles = readdirSync(VECTORS)
  .filter((f) => f.endsWith('.jsonld'))
  .sort();
const expected = (file: string) =>
  readFileSync(join(VECTORS, file.replace(/\.jsonld$/, '.hashes')), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

const dir = mkdtempSync(join(tmpdir(), 'tradetwin-epcis-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('tradetwin epcis hash', () => {
  for (const file of vectorFiles) {
    it(`prints the reference hash IDs of ${file}, one per line`, async () => {
      const r = await runCli(['epcis', 'hash', join(VECTORS, file)]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trimEnd().split('\n'), expected(file));
    });
  }

  for (const file of vectorFiles) {
    it(`--cbv 2.1 prints the CBV 2.1 reference hash IDs of ${file}`, async () => {
      const r = await runCli(['epcis', 'hash', join(VECTORS, file), '--cbv', '2.1']);
      assert.equal(r.code, 0, r.stderr);
      const want = readFileSync(join(VECTORS, file.replace(/\.jsonld$/, '.cbv21.hashes')), 'utf8')
        .trim()
        .split('\n');
      assert.deepEqual(r.stdout.trimEnd().split('\n'), want);
    });
  }

  it('refuses a CBV version it has no rules for', async () => {
    const r = await runCli(['epcis', 'hash', join(VECTORS, vectorFiles[0]!), '--cbv', '1.2']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--cbv must be 2\.0 or 2\.1/);
  });

  it('hashes an XML document as it hashes the same events in JSON', async () => {
    const xmlFile = fileURLToPath(new URL('../../../core/src/epcis/xml/fixtures/cold-chain-shipment.xml', import.meta.url));
    const { parseEpcisXml } = await import('@tradetwin/core/epcis/xml/index');
    const jsonFile = join(dir, 'cold-chain-shipment.jsonld');
    writeFileSync(jsonFile, JSON.stringify(parseEpcisXml(readFileSync(xmlFile, 'utf8'))));
    for (const cbv of ['2.0', '2.1']) {
      const fromXml = await runCli(['epcis', 'hash', xmlFile, '--cbv', cbv, '--json']);
      const fromJson = await runCli(['epcis', 'hash', jsonFile, '--cbv', cbv, '--json']);
      assert.equal(fromXml.code, 0, fromXml.stderr);
      assert.ok((JSON.parse(fromXml.stdout) as string[]).length > 0);
      assert.deepEqual(JSON.parse(fromXml.stdout), JSON.parse(fromJson.stdout));
    }
    const bad = join(dir, 'bad.xml');
    writeFileSync(bad, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>');
    const refused = await runCli(['epcis', 'hash', bad]);
    assert.equal(refused.code, 2); // usage: a malformed input file
    assert.match(refused.stderr, /DOCTYPE/);
  });

  it('--json prints the array', async () => {
    const file = 'TimeStampRoundOff.jsonld';
    const r = await runCli(['epcis', 'hash', join(VECTORS, file), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), expected(file));
  });

  it('says why it cannot hash: no file, not JSON, not EPCIS', async () => {
    const none = await runCli(['epcis', 'hash']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give an EPCIS document file/);
    const text = join(dir, 'not.json');
    writeFileSync(text, 'hello');
    const bad = await runCli(['epcis', 'hash', text]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not JSON/);
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"hello":"world"}');
    const notEpcis = await runCli(['epcis', 'hash', other]);
    assert.equal(notEpcis.code, 2);
    assert.match(notEpcis.stderr, /not an EPCIS document/);
  });
});

describe('tradetwin epcis validate', () => {
  it('checks XML against the EPCIS 2.0 XSD, naming the fault', async () => {
    const xmlFile = fileURLToPath(new URL('../../../core/src/epcis/xml/fixtures/cold-chain-shipment.xml', import.meta.url));
    const good = await runCli(['epcis', 'validate', xmlFile]);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.equal(good.stdout.trim(), 'OK');
    const broken = join(dir, 'no-event-time.xml');
    writeFileSync(broken, readFileSync(xmlFile, 'utf8').replace(/<eventTime>[^<]*<\/eventTime>/, ''));
    const r = await runCli(['epcis', 'validate', broken, '--json']);
    assert.equal(r.code, 3); // not valid: the check came out negative
    const out = JSON.parse(r.stdout) as { valid: boolean; errors: { message: string }[] };
    assert.equal(out.valid, false);
    assert.match(out.errors[0]!.message, /eventTime|expected/i);
  });

  it('prints OK for every vector and a GS1 example', async () => {
    for (const path of [
      ...vectorFiles.map((f) => join(VECTORS, f)),
      join(STANDARDS, 'epcis/examples/ErrorDeclarationAndCorrectiveEvent.jsonld'),
    ]) {
      const r = await runCli(['epcis', 'validate', path]);
      assert.equal(r.code, 0, `${path}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, 'OK\n');
    }
  });

  it('prints each error with its JSON pointer and exits 1', async () => {
    const doc = JSON.parse(readFileSync(join(VECTORS, 'epcisDocWithSingleEvent.jsonld'), 'utf8'));
    doc.epcisBody.eventList[0].eventTimeZoneOffset = '-6:00';
    doc.epcisBody.eventList[0].action = 'MOVE';
    const file = join(dir, 'broken.jsonld');
    writeFileSync(file, JSON.stringify(doc));
    const r = await runCli(['epcis', 'validate', file]);
    assert.equal(r.code, 3);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stdout);
    assert.match(lines[0]!, /^\/epcisBody\/eventList\/0\/action: must be one of "OBSERVE", "ADD", "DELETE"$/);
    assert.match(lines[1]!, /^\/epcisBody\/eventList\/0\/eventTimeZoneOffset: "-6:00" is not a UTC offset/);
    const json = await runCli(['epcis', 'validate', file, '--json']);
    assert.equal(json.code, 3);
    const result = JSON.parse(json.stdout) as { valid: boolean; errors: { path: string }[] };
    assert.equal(result.valid, false);
    assert.deepEqual(
      result.errors.map((e) => e.path),
      ['/epcisBody/eventList/0/action', '/epcisBody/eventList/0/eventTimeZoneOffset'],
    );
  });

  it('is listed in the help', async () => {
    const r = await runCli(['--help']);
    assert.match(r.stdout, /epcis hash/);
    assert.match(r.stdout, /epcis validate/);
  });
});
