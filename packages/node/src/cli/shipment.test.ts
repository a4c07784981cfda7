// `tradetwin shipment list|show|create`, `excursions` and `payouts`, run as a
// user would against a real node that watched a breach get paid.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { orgOf, readMember } from '../chain/members.js';
import { runCli } from '../test-support/cli.js';
import { type CoverFixture, DAY, type Journey, startCoverFixture } from '../test-support/cover-fixture.js';
import type { ExcursionView, PayoutView, ShipmentRow, ShipmentState } from './shipment.js';

let fx: CoverFixture;
let breach: Journey;
let short: Journey;
let dataDir: string;
const PROBLEMS = 'https://tradetwin.dev/problems/';
const short4 = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;
/** The organisation the chain names for an account (the node's own is admitted under its configured name). */
async function orgName(account: `0x${string}`): Promise<string> {
  const id = await orgOf(fx.node.clients, fx.node.contracts.memberRegistry, account);
  return (await readMember(fx.node.clients, fx.node.contracts.memberRegistry, id))!.name;
}

before(async () => {
  fx = await startCoverFixture();
  dataDir = fx.t.dataDir;
  fx.enableClaims([fx.oracles.carrier, fx.oracles.insurer]);
  breach = await fx.journey({ name: 'cli-breach', excursionMinutes: 95, peak: 14.25 });
  short = await fx.journey({ name: 'cli-short', excursionMinutes: 20 });
  const { outcomes } = await breach.deliver();
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['paid'],
  );
  // The tracker fix at the end of the journey.
  await breach.deliver(breach.sign([{ t: breach.to, k: 'pos', v: [-4.0435, 39.6682] }]));
  await short.deliver();
});
after(() => fx?.dispose());

const cli = (...args: string[]) => runCli(args);
async function json<T>(...args: string[]): Promise<T> {
  const r = await cli(...args, '--data-dir', dataDir, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}
const api = async <T>(path: string): Promise<T> =>
  (await (
    await fetch(`${fx.node.httpUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${fx.node.adminToken}` } })
  ).json()) as T;

describe('tradetwin shipment list', () => {
  it('lists each shipment with status, route, excursions, policies and what was paid', async () => {
    const rows = await json<ShipmentRow[]>('shipment', 'list');
    const paid = (await fx.node.shipments.payouts(breach.policyId!))[0]!;
    assert.deepEqual(rows, [
      {
        id: 'SHP-cli-breach',
        status: 'arrived',
        goods: 'Vaccine vials, 2–8 °C (cli-breach)',
        route: 'BEANR → KEMBA',
        devices: ['reefer-cli-breach'],
        excursions: 1,
        breached: 1,
        policies: [{ policyId: breach.policyId, state: 'paid' }],
        paid: { raw: paid.amount, decimals: 6, symbol: 'tUSD', formatted: '100,000.00 tUSD' },
        paidRaw: paid.amount,
      },
      {
        id: 'SHP-cli-short',
        status: 'arrived',
        goods: 'Vaccine vials, 2–8 °C (cli-short)',
        route: 'BEANR → KEMBA',
        devices: ['reefer-cli-short'],
        excursions: 1,
        breached: 0,
        policies: [{ policyId: short.policyId, state: 'bound' }],
        paid: { raw: '0', decimals: 6, symbol: 'tUSD', formatted: '0.00 tUSD' },
        paidRaw: '0',
      },
    ]);
    assert.equal(paid.amount, '100000000000');
    const human = await cli('shipment', 'list', '--data-dir', dataDir);
    assert.equal(human.code, 0, human.stderr);
    const lines = human.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(
      lines[0]!,
      /^SHP-cli-breach\tarrived\tBEANR → KEMBA\t1 excursions \(1 breached\)\tpolicies #\d+ paid\tpaid 100,000\.00 tUSD\t/,
    );
    assert.match(
      lines[1]!,
      /^SHP-cli-short\tarrived\tBEANR → KEMBA\t1 excursions \(0 breached\)\tpolicies #\d+ bound\tpaid 0\.00 tUSD\t/,
    );
  });
});

describe('tradetwin shipment show', () => {
  it('--json is the twin as the API derives it: latest readings, excursions, policies, payouts', async () => {
    const s = await json<ShipmentState>('shipment', 'show', breach.shipmentId);
    assert.deepEqual(s, await api(`/shipments/${breach.shipmentId}`));
    assert.equal(s.status, 'arrived');
    const lastTemp = breach.readings[breach.readings.length - 1]!;
    assert.deepEqual(
      { temp: [s.latest.temp?.t, s.latest.temp?.v], pos: [s.latest.pos?.t, s.latest.pos?.v] },
      { temp: [lastTemp.t, lastTemp.v], pos: [breach.to, [-4.0435, 39.6682]] },
    );
    assert.deepEqual(
      s.excursions.map((x) => [
        x.ruleId,
        x.deviceId,
        x.startedAt,
        x.endedAt,
        x.minutesOutside,
        x.kind === 'gap' ? null : x.peak,
        x.breached,
      ]),
      [['temp-2-8', 'reefer-cli-breach', breach.excursion!.startsAt, breach.excursion!.endsAt, 95, 14.25, true]],
    );
    assert.deepEqual(
      s.policies.map((p) => [p.policyId, p.cover, p.state]),
      [[breach.policyId, fx.cover, 'paid']],
    );
    const stored = await fx.node.shipments.payouts(breach.policyId!);
    // The stored payout, raw units kept, with the amount in the token's own symbol and decimals and the signers by name.
    assert.deepEqual(
      s.payouts.map(({ money: _m, signerOrgs: _o, ...raw }) => raw),
      stored,
    );
    assert.deepEqual(s.payouts[0]!.money, { raw: '100000000000', decimals: 6, symbol: 'tUSD', formatted: '100,000.00 tUSD' });
    assert.deepEqual(
      s.payouts[0]!.signerOrgs!.map((o) => [o.address, o.name]),
      [
        [fx.orgs.carrier.address, await orgName(fx.orgs.carrier.address)],
        [fx.orgs.insurer.address, 'Cold Chain Insurance plc'],
      ],
    );
    assert.deepEqual(s.policies[0]!.money, {
      sumInsured: { raw: '250000000000', decimals: 6, symbol: 'tUSD', formatted: '250,000.00 tUSD' },
      premium: { raw: '1200000000', decimals: 6, symbol: 'tUSD', formatted: '1,200.00 tUSD' },
    });
    assert.equal(s.policies[0]!.holderOrg?.name, 'Pharma Manufacturer NV');
    assert.match(s.payouts[0]!.txHash, /^0x[0-9a-f]{64}$/);
  });

  it('prints status, latest temperature and position, excursions, policies and payouts with tx hashes', async () => {
    const r = await cli('shipment', 'show', breach.shipmentId, '--data-dir', dataDir);
    assert.equal(r.code, 0, r.stderr);
    const [payout] = await fx.node.shipments.payouts(breach.policyId!);
    const x = breach.excursion1();
    const expected = [
      'SHP-cli-breach: Vaccine vials, 2–8 °C (cli-breach) — arrived',
      `  leg      Port of Antwerp (BEANR) → Port of Mombasa (KEMBA) by sea, ${new Date(breach.from).toISOString()} → ${new Date(breach.to).toISOString()}`,
      `  latest   temp ${breach.readings[breach.readings.length - 1]!.v} °C at ${new Date(breach.to).toISOString()}`,
      `  latest   position -4.0435, 39.6682 at ${new Date(breach.to).toISOString()}`,
      '  excursions (1, 1 breached)',
      `    temp-2-8 on reefer-cli-breach: temp above band for 95 min, peak 14.25 °C, BREACHED; ${new Date(x.startedAt).toISOString()} → ${new Date(x.endedAt!).toISOString()}; id ${x.id}`,
      '  policies (1)',
      `    #${breach.policyId} on ${fx.cover}: paid, sum insured 250,000.00 tUSD, premium 1,200.00 tUSD, 2–8 °C, 30 min tolerance, held by Pharma Manufacturer NV (${short4(fx.orgs.shipper.address)})`,
      '  payouts (1)',
      `    policy #${breach.policyId}: paid 100,000.00 tUSD for excursion ${x.id} at ${new Date(payout!.paidAt).toISOString()}, tx ${payout!.txHash}, signed by ${await orgName(fx.orgs.carrier.address)} (${short4(fx.orgs.carrier.address)}), Cold Chain Insurance plc (${short4(fx.orgs.insurer.address)})`,
    ];
    for (const line of expected) assert.ok(r.stdout.includes(line), `missing:\n${line}\nin:\n${r.stdout}`);
  });

  it('a shipment the node does not know: exit 1 with the 404 problem; no id: exit 2', async () => {
    const [unknown, none, noNode] = await Promise.all([
      cli('shipment', 'show', 'SHP-nope', '--data-dir', dataDir),
      cli('shipment', 'show', '--data-dir', dataDir),
      cli('shipment', 'show', 'SHP-x', '--data-dir', join(dataDir, 'nothing-here')),
    ]);
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.stderr,
      `tradetwin shipment show: GET /api/v1/shipments/SHP-nope: HTTP 404: no shipment SHP-nope (${PROBLEMS}unknown_shipment)\n`,
    );
    assert.equal(unknown.stdout, '');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^tradetwin shipment show: a shipment id is required\n/);
    assert.equal(noNode.code, 4); // unreachable: no running node
    assert.match(noNode.stderr, /no running node found/);
  });
});

describe('tradetwin excursions and payouts', () => {
  it('excursions: minutes, peak and breached, all or only the breached ones', async () => {
    const [all, breachedOnly, human] = await Promise.all([
      json<ExcursionView[]>('excursions', short.shipmentId),
      json<ExcursionView[]>('excursions', short.shipmentId, '--breached'),
      cli('excursions', breach.shipmentId, '--data-dir', dataDir),
    ]);
    assert.deepEqual(all, await api(`/shipments/${short.shipmentId}/excursions`));
    assert.deepEqual(
      all.map((x) => [x.minutesOutside, x.kind === 'gap' ? null : x.peak, x.breached, x.open]),
      [[20, 12.5, false, false]],
    );
    assert.deepEqual(breachedOnly, []);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^temp-2-8 on reefer-cli-breach: temp above band for 95 min, peak 14\.25 °C, BREACHED; /);
    const unknown = await cli('excursions', 'SHP-nope', '--data-dir', dataDir);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /HTTP 404: no shipment SHP-nope \(https:\/\/tradetwin\.dev\/problems\/unknown_shipment\)/);
  });

  it('payouts: amount, excursion, transaction and signers', async () => {
    const [rows, human] = await Promise.all([json<PayoutView[]>('payouts'), cli('payouts', '--data-dir', dataDir)]);
    const stored = await fx.node.shipments.payouts();
    assert.deepEqual(
      rows.map(({ money: _m, signerOrgs: _o, ...raw }) => raw),
      stored,
    );
    assert.equal(rows[0]!.money?.formatted, '100,000.00 tUSD');
    assert.deepEqual(
      rows.map((p) => [p.policyId, p.excursionId, p.amount]),
      [[breach.policyId, breach.excursion1().id, '100000000000']],
    );
    assert.equal(human.code, 0, human.stderr);
    assert.equal(human.stdout.trim().split('\n').length, 1);
    assert.ok(human.stdout.includes(`tx ${stored[0]!.txHash}`), human.stdout);
    assert.ok(human.stdout.includes(': paid 100,000.00 tUSD for excursion'), human.stdout);
    assert.ok(human.stdout.includes(`Cold Chain Insurance plc (${short4(fx.orgs.insurer.address)})`), human.stdout);
  });
});

describe('tradetwin shipment create', () => {
  const definition = (id: string) => ({
    id,
    goods: { description: 'Insulin pens, 2–8 °C', quantity: 4, unit: 'pallet' },
    parties: [{ role: 'shipper', name: 'Pharma Manufacturer NV', account: fx.orgs.shipper.address }],
    legs: [
      {
        from: { name: 'Brussels', unlocode: 'BEBRU', lat: 50.8503, lon: 4.3517 },
        to: { name: 'Port of Antwerp', unlocode: 'BEANR', lat: 51.2637, lon: 4.3986 },
        mode: 'road',
        plannedDeparture: Date.now() + DAY,
        plannedArrival: Date.now() + DAY + 3 * 3600_000,
      },
    ],
    devices: [{ deviceId: 'reefer-cli-new', from: Date.now() + DAY - 3600_000 }],
    rules: [{ kind: 'band', id: 'temp-2-8', sensor: 'temp', min: 2, max: 8, toleranceMinutes: 30, mode: 'continuous' }],
  });
  const file = (name: string, content: unknown) => {
    const f = join(dataDir, name);
    writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
    return f;
  };

  it('creates a twin through the API with the admin token; the node watches it', async () => {
    const f = file('new.json', definition('SHP-cli-new'));
    const s = await json<ShipmentState>('shipment', 'create', '--file', f);
    assert.equal(s.shipment.id, 'SHP-cli-new');
    assert.equal(s.status, 'planned');
    assert.deepEqual([s.excursions, s.policies, s.payouts, s.latest], [[], [], [], {}]);
    assert.deepEqual(await fx.node.shipments.shipment('SHP-cli-new'), s.shipment);
    assert.deepEqual(
      s.shipment.legs,
      definition('SHP-cli-new').legs.map((l) => ({
        ...l,
        plannedDeparture: s.shipment.legs[0]!.plannedDeparture,
        plannedArrival: s.shipment.legs[0]!.plannedArrival,
      })),
    );
    const rows = await json<ShipmentRow[]>('shipment', 'list');
    assert.deepEqual(
      rows.map((r) => [r.id, r.status]),
      [
        ['SHP-cli-breach', 'arrived'],
        ['SHP-cli-short', 'arrived'],
        ['SHP-cli-new', 'planned'],
      ],
    );
    const human = await cli('shipment', 'create', '--file', file('new2.json', definition('SHP-cli-new2')), '--data-dir', dataDir);
    assert.equal(human.code, 0, human.stderr);
    assert.equal(human.stdout, 'created shipment SHP-cli-new2 (planned): 1 devices, 1 rules, 0 excursions so far\n');
    const again = await cli('shipment', 'create', '--file', f, '--data-dir', dataDir);
    assert.equal(again.code, 1);
    assert.equal(
      again.stderr,
      `tradetwin shipment create: POST /api/v1/shipments: HTTP 409: shipment SHP-cli-new exists (${PROBLEMS}shipment_exists)\n`,
    );
  });

  it('an invalid definition: exit 1 with the 400 problem naming the field (as JSON with --json)', async () => {
    const boat = definition('SHP-cli-bad');
    (boat.legs[0] as { mode: string }).mode = 'boat';
    const noMax = definition('SHP-cli-bad');
    delete (noMax.rules[0] as { max?: number }).max;
    const [r1, r2] = await Promise.all([
      cli('shipment', 'create', '--file', file('bad-leg.json', boat), '--data-dir', dataDir, '--json'),
      cli('shipment', 'create', '--file', file('bad-rule.json', noMax), '--data-dir', dataDir),
    ]);
    assert.equal(r1.code, 1);
    // --json: the error is JSON too, on stdout, coded by the node's problem type.
    assert.equal(r1.stderr, '');
    assert.deepEqual(JSON.parse(r1.stdout), {
      error: {
        code: 'bad_shipment',
        message: `POST /api/v1/shipments: HTTP 400: legs[0].mode must be road, sea, air or rail (${PROBLEMS}bad_shipment)`,
      },
    });
    assert.equal(r2.code, 1);
    assert.match(
      r2.stderr,
      /^tradetwin shipment create: POST \/api\/v1\/shipments: HTTP 400: rules\[0\]\.max: .* \(https:\/\/tradetwin\.dev\/problems\/bad_shipment\)\n$/,
    );
    assert.equal(await fx.node.shipments.shipment('SHP-cli-bad'), null);
  });

  it('refuses before the node when the file is missing or not JSON (exit 2), and without the admin token (401)', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'tt-cli-'));
    try {
      const [missing, notJson, noFlag, noToken] = await Promise.all([
        cli('shipment', 'create', '--file', join(dataDir, 'nope.json'), '--data-dir', dataDir),
        cli('shipment', 'create', '--file', file('garbage.json', '{"id": '), '--data-dir', dataDir),
        cli('shipment', 'create', '--data-dir', dataDir),
        cli(
          'shipment',
          'create',
          '--file',
          file('anon.json', definition('SHP-cli-anon')),
          '--node',
          fx.node.httpUrl,
          '--data-dir',
          elsewhere,
        ),
      ]);
      assert.equal(missing.code, 2);
      assert.equal(missing.stderr, `tradetwin shipment create: ${join(dataDir, 'nope.json')} does not exist\n`);
      assert.equal(notJson.code, 2);
      assert.match(notJson.stderr, /garbage\.json is not JSON: /);
      assert.equal(noFlag.code, 2);
      assert.equal(noFlag.stderr, 'tradetwin shipment create: --file is required\n');
      assert.equal(noToken.code, 1);
      assert.match(noToken.stderr, /HTTP 401: .* \(https:\/\/tradetwin\.dev\/problems\/unauthenticated\)/);
      assert.equal(await fx.node.shipments.shipment('SHP-cli-anon'), null);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('--help', () => {
  it('every command explains itself and exits 0', async () => {
    const commands = [['shipment', 'list'], ['shipment', 'show'], ['shipment', 'create'], ['excursions'], ['payouts']];
    const results = await Promise.all(commands.map((c) => cli(...c, '--help')));
    results.forEach((r, i) => {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`\\n\\nUsage: tradetwin ${commands[i]!.join(' ')}\\b`));
      assert.match(r.stdout, /--json\n/);
    });
    const top = await cli('--help');
    for (const c of commands) assert.match(top.stdout, new RegExp(`^  ${c.join(' ')} +\\S`, 'm'));
  });
});
