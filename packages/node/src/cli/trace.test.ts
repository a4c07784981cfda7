// `tradetwin trace` against a real node's EPCIS repository: a contaminated
// ingredient lot traced forward to the pallet and the retailer it reached, and
// a product traced backward to the farm.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../test-support/cli.js';
import { startTestNode, type TestNode } from '../test-support/node-fixture.js';

const FARM = 'urn:epc:id:sgln:0614141.00001.0';
const RETAILER = 'urn:epc:id:sgln:0614141.00777.0';
const LOT = 'urn:epc:class:lgtin:4012345.012345.LOT-MANGO-7';
const PRODUCT = 'urn:epc:id:sgtin:0614141.107346.2024';
const PALLET = 'urn:epc:id:sscc:0614141.1234567890';

const event = (type: string, at: string, body: Record<string, unknown>) => ({
  type,
  eventTime: at,
  eventTimeZoneOffset: '+00:00',
  ...body,
});

const DOCUMENT = {
  '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-11-01T00:00:00Z',
  epcisBody: {
    eventList: [
      event('ObjectEvent', '2026-11-01T06:00:00Z', {
        action: 'ADD',
        quantityList: [{ epcClass: LOT, quantity: 500, uom: 'KGM' }],
        bizStep: 'commissioning',
        bizLocation: { id: FARM },
      }),
      event('TransformationEvent', '2026-11-02T08:00:00Z', {
        inputQuantityList: [{ epcClass: LOT, quantity: 500, uom: 'KGM' }],
        outputEPCList: [PRODUCT],
        bizStep: 'commissioning',
        bizLocation: { id: 'urn:epc:id:sgln:0614141.00002.0' },
      }),
      event('AggregationEvent', '2026-11-02T10:00:00Z', {
        action: 'ADD',
        parentID: PALLET,
        childEPCs: [PRODUCT],
        bizStep: 'packing',
      }),
      event('ObjectEvent', '2026-11-03T09:00:00Z', {
        action: 'OBSERVE',
        epcList: [PALLET],
        bizStep: 'receiving',
        bizLocation: { id: RETAILER },
      }),
    ],
  },
};

let t: TestNode;
/** A read-only EPCIS credential, as a recall team's script would hold. */
let reader: string;
before(async () => {
  t = await startTestNode();
  const admin = { authorization: `Bearer ${t.node.adminToken}` };
  const res = await fetch(`${t.node.httpUrl}/epcis/capture`, {
    method: 'POST',
    headers: { 'content-type': 'application/ld+json', ...admin },
    body: JSON.stringify(DOCUMENT),
  });
  assert.equal(res.status, 202, await res.text());
  const job = await fetch(new URL(res.headers.get('location')!, t.node.httpUrl), { headers: admin });
  assert.equal(((await job.json()) as { success?: boolean }).success, true);
  reader = (await t.node.access.createCredential('recall script', ['epcis:read'])).token;
});
after(() => t.dispose());

interface Trace {
  items: string[];
  lots: string[];
  containers: string[];
  locations: string[];
  events: unknown[];
}

const trace = async (...args: string[]) => {
  const r = await runCli(['trace', ...args, '--node', t.node.httpUrl, '--token', reader, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Trace;
};
const has = (list: string[], needle: string) => list.some((x) => x.includes(needle));

describe('tradetwin trace', () => {
  it('traces a contaminated lot forward to the product, its pallet and the retailer', async () => {
    const r = await trace(LOT, '--forward');
    assert.ok(has(r.items, '107346') || has(r.items, '2024'), JSON.stringify(r.items));
    assert.ok(r.containers.length >= 1, 'the pallet');
    assert.ok(has(r.locations, '00777') || r.locations.some((l) => l.includes('777')), JSON.stringify(r.locations));
    assert.ok(r.events.length >= 3);
  });

  it('traces a product backward to the farm lot', async () => {
    const r = await trace(PRODUCT, '--backward');
    assert.ok(
      r.lots.some((l) => l.includes('LOT-MANGO-7')),
      JSON.stringify(r.lots),
    );
    assert.ok(
      r.locations.some((l) => l.includes('00001') || l.includes('0614141')),
      JSON.stringify(r.locations),
    );
  });

  it('without a credential the node refuses the trace (exit 1, 401)', async () => {
    // A data dir without an admin-token file: nothing to fall back on.
    const r = await runCli(['trace', LOT, '--forward', '--node', t.node.httpUrl, '--data-dir', `${t.dataDir}-none`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /HTTP 401/);
  });

  it('refuses a call without a direction', async () => {
    const r = await runCli(['trace', LOT, '--node', t.node.httpUrl]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--backward or --forward/);
  });
});
