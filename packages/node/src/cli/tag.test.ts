// `tradetwin tag issue|verify` run as a user would, against a real node (embedded
// chain, log, EPCIS repository fed through its capture endpoint) serving the tag
// routes under /api/v1 over HTTP.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ServerType, serve } from '@hono/node-server';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { ROLES } from '../chain/members.js';
import { admitMembers } from '../test-support/governance.js';
import { type EpcisTestNode, startEpcisNode } from '../epcis/test-support.js';
import { tagRoutes } from '../tags/routes.js';
import { SqliteSightingStore } from '../storage/sqlite/tags.js';
import type { SightingStore } from '../tags/sightings.js';
import { parseTag, recoverTagSigner } from '../tags/tag.js';
import { TagVerifier } from '../tags/verify.js';
import type { TagVerification } from '../tags/verify.js';
import { runCli } from '../test-support/cli.js';

type Json = Record<string, unknown>;
const CTX = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
const bag = (serial: string) => `urn:epc:id:sgtin:0614141.107346.${serial}`;
const LAGOS = ['--lat', '6.5244', '--lon', '3.3792'];
const HAMBURG = ['--lat', '53.5511', '--lon', '9.9937'];

let n: EpcisTestNode;
let sightings: SightingStore;
let server: ServerType;
let url: string;
let dir: string;
let keyFile: string;
const brandKey = generatePrivateKey();
const brand = privateKeyToAccount(brandKey);

before(async () => {
  n = await startEpcisNode();
  const { node } = n.t;
  await admitMembers(node, [{ account: brand.address, name: 'Maison Aurel', roles: ROLES.SHIPPER }]);
  sightings = SqliteSightingStore.open({ path: join(n.t.dataDir, 'node.db') });
  const verifier = new TagVerifier({
    repo: n.repo,
    sightings,
    clients: node.clients,
    memberRegistry: node.contracts.memberRegistry,
  });
  n.app.route('/api/v1', tagRoutes({ verifier, brand: node.clients.account }));
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: n.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Two bags through the brand's chain: workshop → shipping → boutique.
  const events = ['CLI-1', 'CLI-2'].flatMap((s) => {
    const epcList = [bag(s)];
    const ev = (e: Json) => ({
      eventID: `urn:uuid:${randomUUID()}`,
      type: 'ObjectEvent',
      eventTimeZoneOffset: '+00:00',
      epcList,
      ...e,
    });
    return [
      ev({
        action: 'ADD',
        bizStep: 'commissioning',
        disposition: 'active',
        eventTime: '2024-06-01T08:00:00Z',
        readPoint: { id: 'urn:epc:id:sgln:0614141.00001.0' },
      }),
      ev({
        action: 'OBSERVE',
        bizStep: 'shipping',
        disposition: 'in_transit',
        eventTime: '2024-06-01T14:00:00Z',
        readPoint: { id: 'urn:epc:id:sgln:0614141.00002.0' },
      }),
      ev({
        action: 'OBSERVE',
        bizStep: 'receiving',
        disposition: 'in_progress',
        eventTime: '2024-06-02T09:00:00Z',
        readPoint: { id: 'urn:epc:id:sgln:5012345.00007.0' },
      }),
    ];
  });
  const r = await n.capture({
    '@context': CTX,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: { eventList: events },
  });
  assert.equal(r.job?.success, true, JSON.stringify(r.job?.errors ?? r.problem));

  dir = mkdtempSync(join(tmpdir(), 'tradetwin-tag-'));
  keyFile = join(dir, 'brand.key');
  writeFileSync(keyFile, `${brandKey}\n`);
});
after(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await sightings?.close();
  await n?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const nodeArgs = () => ['--node', url, '--token', n.t.node.adminToken];
const cli = (...args: string[]) => runCli(args);

describe('tradetwin tag issue', () => {
  it('through the node: prints the tag URI, signed by the node’s account; --svg writes the QR code', async () => {
    const svg = join(dir, 'cli-1.svg');
    const r = await cli('tag', 'issue', '--epc', bag('CLI-1'), '--svg', svg, ...nodeArgs());
    assert.equal(r.code, 0, r.stderr);
    const uri = r.stdout.trim();
    assert.match(uri, /^https:\/\/id\.gs1\.org\/01\/10614141073464\/21\/CLI-1\?iss=0x[0-9a-fA-F]{40}&sig=[\w-]{87}$/);
    const tag = parseTag(uri);
    assert.equal(await recoverTagSigner(tag), n.t.node.clients.account.address);
    assert.match(readFileSync(svg, 'utf8'), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(r.stderr, /QR code \(SVG\) of the tag written to/);
  });

  it('with --brand-key: signed on this machine, no node needed; --json', async () => {
    const r = await cli(
      'tag',
      'issue',
      '--gtin',
      '10614141073464',
      '--serial',
      'CLI-2',
      '--base',
      'https://aurel.example',
      '--brand-key',
      keyFile,
      '--data-dir',
      join(dir, 'no-node'),
      '--json',
    );
    assert.equal(r.code, 0, r.stderr);
    const tag = JSON.parse(r.stdout) as Json;
    assert.equal(tag.issuer, brand.address);
    assert.equal(tag.epc, bag('CLI-2'));
    assert.equal(tag.item, 'https://id.gs1.org/01/10614141073464/21/CLI-2');
    assert.match(String(tag.uri), /^https:\/\/aurel\.example\/01\/10614141073464\/21\/CLI-2\?iss=/);
    assert.equal(tag.qrSvg, undefined);
  });

  it('says what is wrong with the item or the key', async () => {
    const both = await cli(
      'tag',
      'issue',
      '--epc',
      bag('X'),
      '--gtin',
      '10614141073464',
      '--serial',
      'X',
      '--brand-key',
      keyFile,
    );
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give --epc, or --gtin with --serial, not both/);
    const noSerial = await cli('tag', 'issue', '--gtin', '10614141073464', '--brand-key', keyFile);
    assert.equal(noSerial.code, 2);
    assert.match(noSerial.stderr, /name the item/);
    const badGtin = await cli('tag', 'issue', '--gtin', '10614141073465', '--serial', 'X', '--brand-key', keyFile);
    assert.equal(badGtin.code, 2);
    assert.match(badGtin.stderr, /not valid .*check digit.*\(invalid_gs1_key\)/);
    const noKey = await cli('tag', 'issue', '--epc', bag('X'), '--brand-key', join(dir, 'missing.key'));
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /brand key file .*missing\.key does not exist/);
    const viaNode = await cli('tag', 'issue', '--epc', 'urn:epc:class:lgtin:0614141.107346.LOT1', ...nodeArgs());
    assert.equal(viaNode.code, 1);
    assert.match(viaNode.stderr, /HTTP 400: .*names a class of items.*not_an_item/);
  });
});

describe('tradetwin tag verify', () => {
  let tagUri: string;
  before(async () => {
    const r = await cli('tag', 'issue', '--gtin', '10614141073464', '--serial', 'CLI-2', '--brand-key', keyFile);
    assert.equal(r.code, 0, r.stderr);
    tagUri = r.stdout.trim();
  });

  it('genuine: exit 0, the verdict, issuer, checks and history', async () => {
    const r = await cli('tag', 'verify', tagUri, ...LAGOS, '--by', 'cli-test', ...nodeArgs());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `GENUINE  ${bag('CLI-2')}`);
    assert.equal(lines[1], '  item     https://id.gs1.org/01/10614141073464/21/CLI-2');
    assert.match(lines[2]!, new RegExp(`^  issuer   Maison Aurel \\(org \\d+\\) ${brand.address}$`));
    assert.deepEqual(
      lines.filter((l) => /^ {2}(ok {2}|FAIL|warn) /.test(l)).map((l) => l.slice(2, 6) + l.slice(11).split(':')[0]),
      ['ok  signature_valid', 'ok  issuer_member', 'ok  history_found', 'ok  in_circulation', 'ok  travel_plausible'],
    );
    assert.ok(lines.includes('  history (3 events)'));
    assert.match(r.stdout, /2024-06-02T09:00:00\.000Z {2}ObjectEvent OBSERVE receiving \(in_progress\) at .* {2}leaf \d+/);
    assert.match(lines.at(-1)!, /^ {2}recorded as sighting \d+$/);
  });

  it('the same tag in Hamburg seconds later (an authenticated scanner, node time): SUSPECTED CLONE, exit 3 (not verified); --json names both sightings', async () => {
    const r = await cli('tag', 'verify', tagUri, ...HAMBURG, ...nodeArgs(), '--json');
    assert.equal(r.code, 3, r.stderr);
    const v = JSON.parse(r.stdout) as TagVerification;
    assert.equal(v.verdict, 'suspected_clone');
    const travel = v.reasons.find((x) => x.code === 'impossible_travel')!;
    assert.deepEqual(
      travel.sightings!.map((s) => s.lat),
      [6.52, 53.55],
    );
    assert.ok(
      travel.sightings!.every((s) => Math.abs(Date.parse(s.at) - Date.now()) < 120_000),
      'the node took the times',
    );
    const human = await cli('tag', 'verify', tagUri, '--node', url);
    assert.equal(human.code, 3);
    assert.match(human.stdout, /^SUSPECTED CLONE {2}/);
    assert.match(human.stdout, /FAIL {5}clone_seen_before: /);
  });

  it('an altered URI: UNKNOWN, exit 3, the signature named as the reason', async () => {
    const altered = tagUri.replace('/21/CLI-2?', '/21/CLI-1?');
    const r = await cli('tag', 'verify', altered, '--node', url);
    assert.equal(r.code, 3);
    assert.match(r.stdout, /^UNKNOWN {2}urn:epc:id:sgtin:0614141\.107346\.CLI-1/);
    assert.match(
      r.stdout,
      /FAIL {5}signature_invalid: the signature over .* recovers to 0x[0-9a-fA-F]{40}, not to the stated issuer/,
    );
  });

  it('bad input: no URI (usage, exit 2); bad coordinates and malformed tags answered by the node (exit 1)', async () => {
    const none = await cli('tag', 'verify', '--node', url);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /the scanned tag URI is required/);
    const lat = await cli('tag', 'verify', tagUri, '--lat', '91', '--lon', '0', '--node', url);
    assert.equal(lat.code, 1);
    assert.match(
      lat.stderr,
      /HTTP 400: lat must lie in -90…90 degrees, got 91 \(https:\/\/tradetwin\.dev\/problems\/bad_coordinates\)/,
    );
    const bad = await cli('tag', 'verify', tagUri.replace(/&sig=.*/, '&sig=abc'), '--node', url);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bad_signature_format/);
  });

  it('tradetwin --help lists the tag commands', async () => {
    const r = await cli('--help');
    assert.match(r.stdout, /tag issue +Issue a brand-signed GS1 Digital Link tag/);
    assert.match(r.stdout, /tag verify +Verify a scanned tag/);
  });
});
