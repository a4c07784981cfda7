// Scenario S6 on a real node (embedded chain, SQLite, transparency log, EPCIS
// repository fed through its capture endpoint): a luxury brand tags its bags; a
// buyer's scan says genuine (with the bag's history), unknown (no history, a
// non-member's or suspended brand's key, an altered URI), or suspected clone
// (the same tag in Lagos and Hamburg an hour apart; a tag scanned after its
// bag was sold or decommissioned). The routes are mounted on an app of the
// test's own, as the node will mount them under /api/v1.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { PROBLEM_BASE } from '../http/problem.js';
import { createChainClients } from '../chain/clients.js';
import { ROLES } from '../chain/members.js';
import { admitMembers, fundedClients, setMemberActive } from '../test-support/governance.js';
import { type EpcisTestNode, startEpcisNode } from '../epcis/test-support.js';
import { guard } from '../access/guard.js';
import { tagOpenApiPaths } from './openapi.js';
import { sightingJson, tagRoutes } from './routes.js';
import { SqliteSightingStore } from '../storage/sqlite/tags.js';
import { MAX_ANONYMOUS_SIGHTINGS_PER_ITEM, type SightingStore } from './sightings.js';
import { issueTag } from './tag.js';
import { type TagReason, type TagVerification, TagVerifier } from './verify.js';

type Json = Record<string, unknown>;

const CTX = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'];
const FACTORY = 'urn:epc:id:sgln:0614141.00001.0'; // Florence workshop
const WAREHOUSE = 'urn:epc:id:sgln:0614141.00002.0'; // Milan DC
const BOUTIQUE = 'urn:epc:id:sgln:5012345.00007.0'; // Hamburg boutique
const bag = (serial: string) => `urn:epc:id:sgtin:0614141.107346.${serial}`;

const LAGOS = { lat: 6.5244, lon: 3.3792 };
const HAMBURG = { lat: 53.5511, lon: 9.9937 };
const BERLIN = { lat: 52.52, lon: 13.405 };
const SYDNEY = { lat: -33.8688, lon: 151.2093 };

const HOUR = 3_600_000;
const SCAN_DAY = Date.parse('2025-03-01T09:00:00Z');

const brandKey = generatePrivateKey();
const carrierKey = generatePrivateKey();
const brand = privateKeyToAccount(brandKey); // Maison Aurel: SHIPPER
const carrier = privateKeyToAccount(carrierKey); // a member without the brand role
const lapsed = privateKeyToAccount(generatePrivateKey()); // a brand the network suspended
const stranger = privateKeyToAccount(generatePrivateKey()); // no member

let n: EpcisTestNode;
let sightings: SightingStore;
let verifier: TagVerifier;
let app: Hono;
let token: string;
let brandOrg: number;

const ev = (e: Json): Json => ({ eventID: `urn:uuid:${randomUUID()}`, eventTimeZoneOffset: '+00:00', ...e });
const at = (iso: string) => ({ eventTime: iso });
const place = (id: string) => ({ readPoint: { id }, bizLocation: { id } });

/** The bag's life from the workshop to the boutique: commissioning → shipping → receiving. */
function journey(epc: string, day: string): Json[] {
  return [
    ev({
      type: 'ObjectEvent',
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      epcList: [epc],
      ...at(`${day}T08:00:00Z`),
      ...place(FACTORY),
    }),
    ev({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'shipping',
      disposition: 'in_transit',
      epcList: [epc],
      ...at(`${day}T14:00:00Z`),
      ...place(WAREHOUSE),
      destinationList: [{ type: 'location', destination: BOUTIQUE }],
    }),
    ev({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'receiving',
      disposition: 'in_progress',
      epcList: [epc],
      ...at(`${day}T20:00:00Z`),
      ...place(BOUTIQUE),
    }),
  ];
}

async function capture(events: Json[]): Promise<void> {
  const r = await n.capture({
    '@context': CTX,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: new Date().toISOString(),
    epcisBody: { eventList: events },
  });
  assert.equal(r.job?.success, true, JSON.stringify(r.job?.errors ?? r.problem));
}

const SOLD = ev({
  type: 'ObjectEvent',
  action: 'OBSERVE',
  bizStep: 'retail_selling',
  disposition: 'retail_sold',
  epcList: [bag('SOLD')],
  ...at('2024-06-10T15:30:00Z'),
  ...place(BOUTIQUE),
});
const WRONGLY_SOLD = ev({
  type: 'ObjectEvent',
  action: 'OBSERVE',
  bizStep: 'retail_selling',
  disposition: 'retail_sold',
  epcList: [bag('MISREAD')],
  ...at('2024-06-10T16:00:00Z'),
  ...place(BOUTIQUE),
});

before(async () => {
  n = await startEpcisNode();
  const { node } = n.t;
  token = node.adminToken;
  const registry = node.contracts.memberRegistry;
  // Admitted by the node's vote (the only member then); the suspension needs a majority of four.
  const [brandId, , oldId] = await admitMembers(node, [
    { account: brand.address, name: 'Maison Aurel', roles: ROLES.SHIPPER },
    { account: carrier.address, name: 'Swift Freight', roles: ROLES.CARRIER },
    { account: lapsed.address, name: 'Old Brand', roles: ROLES.SHIPPER },
  ]);
  brandOrg = brandId!;
  await setMemberActive(node, oldId!, false, [await fundedClients(node, brandKey), await fundedClients(node, carrierKey)]);

  await capture([
    ...journey(bag('GENUINE'), '2024-06-01'),
    ...journey(bag('POISON'), '2024-06-01'),
    ...journey(bag('SCANNER'), '2024-06-01'),
    ...journey(bag('TRAVEL'), '2024-06-01'),
    ...journey(bag('CLONED'), '2024-06-02'),
    ...journey(bag('FORGED'), '2024-06-02'),
    ...journey(bag('SOLD'), '2024-06-03'),
    SOLD,
    ...journey(bag('RETIRED'), '2024-06-03'),
    // Decommissioned: the tag's identifier is disassociated from the bag (EPCIS: ObjectEvent DELETE).
    ev({
      type: 'ObjectEvent',
      action: 'DELETE',
      bizStep: 'decommissioning',
      disposition: 'inactive',
      epcList: [bag('RETIRED')],
      ...at('2024-07-01T10:00:00Z'),
      ...place(WAREHOUSE),
    }),
    ...journey(bag('RETURNED'), '2024-06-04'),
    ev({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'retail_selling',
      disposition: 'retail_sold',
      epcList: [bag('RETURNED')],
      ...at('2024-06-11T10:00:00Z'),
      ...place(BOUTIQUE),
    }),
    ev({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'receiving',
      disposition: 'returned',
      epcList: [bag('RETURNED')],
      ...at('2024-06-12T10:00:00Z'),
      ...place(BOUTIQUE),
    }),
    ...journey(bag('MISREAD'), '2024-06-04'),
    WRONGLY_SOLD,
    ...journey(bag('RECALLED'), '2024-06-05'),
    ev({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'holding',
      disposition: 'recalled',
      epcList: [bag('RECALLED')],
      ...at('2024-08-01T10:00:00Z'),
      ...place(BOUTIQUE),
    }),
  ]);
  // The sale of MISREAD was a misread at the till: declared erroneous.
  await capture([{ ...WRONGLY_SOLD, errorDeclaration: { declarationTime: '2024-06-10T17:00:00Z', reason: 'incorrect_data' } }]);

  sightings = SqliteSightingStore.open({ path: join(n.t.dataDir, 'node.db') });
  verifier = new TagVerifier({ repo: n.repo, sightings, clients: node.clients, memberRegistry: registry });
  // The node's access model in front, as api/app.ts mounts it.
  app = guard(new Hono(), node.access);
  app.route('/api/v1', tagRoutes({ verifier, brand: node.clients.account }));
});
after(async () => {
  await sightings?.close();
  await n?.dispose();
});

const tagOf = async (serial: string, account = brand) => (await issueTag({ account, item: bag(serial) })).uri;
// An authenticated scanner's scan (the route gives such scans the node's time; here the day is set so the
// lifecycle and travel rules can be exercised against dated history).
const scan = (uri: string, s: { at?: number; lat?: number; lon?: number; by?: string } = {}) =>
  verifier.verifyTag({ uri, scan: { at: SCAN_DAY, ...s }, trusted: true });
const reason = (v: TagVerification, code: string): TagReason => {
  const r = v.reasons.find((x) => x.code === code);
  assert.ok(r, `${code} in ${JSON.stringify(v.reasons.map((x) => `${x.code}:${x.result}`))}`);
  return r;
};
const failures = (v: TagVerification) => v.reasons.filter((r) => r.result === 'fail').map((r) => r.code);

describe('genuine', () => {
  it("a member brand's tag on a bag with a recorded history is genuine, with that history", async () => {
    const before_ = await sightings.count();
    const v = await scan(await tagOf('GENUINE'), { ...HAMBURG, by: 'shopper-app/1' });
    assert.equal(v.verdict, 'genuine', JSON.stringify(v.reasons));
    assert.deepEqual(failures(v), []);
    assert.equal(v.epc, bag('GENUINE'));
    assert.equal(v.item, 'https://id.gs1.org/01/10614141073464/21/GENUINE');
    assert.deepEqual(v.issuer, {
      address: brand.address,
      orgId: brandOrg,
      name: 'Maison Aurel',
      active: true,
      roles: ROLES.SHIPPER,
    });
    assert.deepEqual(
      v.reasons.map((r) => [r.code, r.result]),
      [
        ['signature_valid', 'pass'],
        ['issuer_member', 'pass'],
        ['history_found', 'pass'],
        ['in_circulation', 'pass'],
        ['travel_plausible', 'pass'],
      ],
    );
    assert.deepEqual(
      v.history.map((h) => [h.bizStep, h.disposition, h.eventTime]),
      [
        ['commissioning', 'active', '2024-06-01T08:00:00.000Z'],
        ['shipping', 'in_transit', '2024-06-01T14:00:00.000Z'],
        ['receiving', 'in_progress', '2024-06-01T20:00:00.000Z'],
      ],
    );
    // Each history entry is the captured event, at its leaf in the transparency log.
    for (const h of v.history) {
      const stored = (await n.repo.byEventId(h.eventID))[0]!;
      assert.equal(stored.leafIndex, h.leafIndex);
      assert.equal(stored.hashId, h.eventHashId);
      assert.deepEqual(h.roles, ['epc']);
      assert.equal(h.erroneous, false);
    }
    assert.match(reason(v, 'in_circulation').detail, /receiving .*2024-06-01T20:00:00.000Z/);
    // Recorded, with who scanned.
    assert.equal(await sightings.count(), before_ + 1);
    const rec = (await sightings.byId(v.sighting.id))!;
    assert.deepEqual(
      {
        at: rec.at,
        lat: rec.lat,
        lon: rec.lon,
        by: rec.by,
        verdict: rec.verdict,
        signatureValid: rec.signatureValid,
        reasons: rec.reasons,
      },
      { at: SCAN_DAY, ...HAMBURG, by: 'shopper-app/1', verdict: 'genuine', signatureValid: true, reasons: [] },
    );
  });

  it('the same tag in Hamburg and, three hours later, in Berlin is plausible travel', async () => {
    const uri = await tagOf('TRAVEL');
    assert.equal((await scan(uri, HAMBURG)).verdict, 'genuine');
    const v = await scan(uri, { ...BERLIN, at: SCAN_DAY + 3 * HOUR });
    assert.equal(v.verdict, 'genuine', JSON.stringify(v.reasons));
    assert.match(reason(v, 'travel_plausible').detail, /consistent with 1 located sighting/);
  });

  it('a scan without a location is verified but says travel was not checked', async () => {
    const v = await scan(await tagOf('GENUINE'));
    assert.equal(v.verdict, 'genuine');
    assert.equal(reason(v, 'travel_not_checked').result, 'warn');
  });

  it('a bag sold and then returned to the boutique is back in circulation', async () => {
    const v = await scan(await tagOf('RETURNED'));
    assert.equal(v.verdict, 'genuine', JSON.stringify(v.reasons));
    assert.match(reason(v, 'in_circulation').detail, /disposition returned/);
  });

  it('a sale declared erroneous does not count (it is shown, marked)', async () => {
    const v = await scan(await tagOf('MISREAD'));
    assert.equal(v.verdict, 'genuine', JSON.stringify(v.reasons));
    const sale = v.history.find((h) => h.eventID === WRONGLY_SOLD.eventID)!;
    assert.equal(sale.erroneous, true);
    assert.equal(v.history.length, 4, 'the declaration itself is no history entry');
  });

  it('a recalled bag is genuine, with a warning', async () => {
    const v = await scan(await tagOf('RECALLED'));
    assert.equal(v.verdict, 'genuine');
    const w = reason(v, 'item_flagged');
    assert.equal(w.result, 'warn');
    assert.match(w.detail, /recalled since 2024-08-01/);
  });
});

describe('unknown', () => {
  it('a validly signed tag for a bag nobody recorded is unknown: a fake', async () => {
    const before_ = await sightings.count();
    const v = await scan(await tagOf('NEVER-MADE'), LAGOS);
    assert.equal(v.verdict, 'unknown');
    assert.deepEqual(failures(v), ['no_history']);
    assert.equal(reason(v, 'signature_valid').result, 'pass');
    assert.equal(reason(v, 'issuer_member').result, 'pass');
    assert.match(reason(v, 'no_history').detail, /no event .* names urn:epc:id:sgtin:0614141\.107346\.NEVER-MADE/);
    assert.deepEqual(v.history, []);
    assert.equal(await sightings.count(), before_ + 1, 'recorded all the same');
    assert.equal((await sightings.byId(v.sighting.id))!.verdict, 'unknown');
  });

  it("a tag signed by a key no member holds is not genuine, though the bag's history exists", async () => {
    const v = await scan(await tagOf('GENUINE', stranger));
    assert.equal(v.verdict, 'unknown');
    assert.deepEqual(failures(v), ['issuer_not_member']);
    assert.equal(reason(v, 'signature_valid').result, 'pass', 'the stranger did sign it');
    assert.match(reason(v, 'issuer_not_member').detail, new RegExp(`${stranger.address} is not an account of any member`));
    assert.equal(v.issuer.orgId, null);
    assert.equal(v.history.length, 3);
  });

  it('a member without the brand role, or a suspended brand, cannot vouch for an item', async () => {
    const byCarrier = await scan(await tagOf('GENUINE', carrier));
    assert.equal(byCarrier.verdict, 'unknown');
    assert.deepEqual(failures(byCarrier), ['issuer_lacks_role']);
    assert.match(reason(byCarrier, 'issuer_lacks_role').detail, /Swift Freight .* does not hold the SHIPPER role/);
    const byLapsed = await scan(await tagOf('GENUINE', lapsed));
    assert.equal(byLapsed.verdict, 'unknown');
    assert.deepEqual(failures(byLapsed), ['issuer_suspended']);
    assert.match(reason(byLapsed, 'issuer_suspended').detail, /Old Brand .* suspended/);
  });

  it("an altered URI (another bag's serial) fails the signature; forged scans never count as sightings of the real bag", async () => {
    const genuine = await tagOf('GENUINE');
    const altered = genuine.replace('/21/GENUINE?', '/21/FORGED?');
    const v = await scan(altered, { ...SYDNEY, at: SCAN_DAY + 2 * HOUR });
    assert.equal(v.verdict, 'unknown');
    assert.equal(v.epc, bag('FORGED'));
    const bad = reason(v, 'signature_invalid');
    assert.equal(bad.result, 'fail');
    assert.notEqual(bad.recovered, brand.address);
    assert.match(bad.detail, new RegExp(`not to the stated issuer ${brand.address}: the URI was altered`));
    assert.ok(
      !v.reasons.some((r) => r.code === 'travel_plausible' || r.code === 'impossible_travel'),
      'no travel check for a forgery',
    );
    assert.equal((await sightings.byId(v.sighting.id))!.signatureValid, false);
    // The real FORGED bag's own tag, scanned in Hamburg an hour after the "Sydney" forgery: genuine.
    const real = await scan(await tagOf('FORGED'), { ...HAMBURG, at: SCAN_DAY + 3 * HOUR });
    assert.equal(real.verdict, 'genuine', JSON.stringify(real.reasons));
  });
});

describe('suspected clone', () => {
  it('the same tag in Lagos and then in Hamburg an hour later: both sightings named', async () => {
    const uri = await tagOf('CLONED');
    const first = await scan(uri, { ...LAGOS, at: SCAN_DAY, by: 'lagos-market' });
    assert.equal(first.verdict, 'genuine', 'alone, the Lagos scan is unremarkable');
    const second = await scan(uri, { ...HAMBURG, at: SCAN_DAY + HOUR, by: 'hamburg-boutique' });
    assert.equal(second.verdict, 'suspected_clone');
    assert.deepEqual(failures(second), ['impossible_travel']);
    const r = reason(second, 'impossible_travel');
    // Public: positions to 0.01° (~1 km), not where the buyers stood.
    assert.deepEqual(r.sightings, [
      { id: first.sighting.id, at: '2025-03-01T09:00:00.000Z', lat: 6.52, lon: 3.38 },
      { id: second.sighting.id, at: '2025-03-01T10:00:00.000Z', lat: 53.55, lon: 9.99 },
    ]);
    assert.ok(!JSON.stringify(second).includes('lagos-market'), 'who scanned is not disclosed');
    assert.ok(r.distanceKm! > 5000 && r.distanceKm! < 5300, `${r.distanceKm} km Lagos–Hamburg`);
    assert.equal(r.hours, 1);
    assert.ok(r.speedKmh! > 5000);
    assert.match(
      r.detail,
      /seen 5\d{3} km away \(sighting \d+ at 2025-03-01T09:00:00.000Z\) 1 h before this scan: that needs 5\d{3} km\/h, more than the plausible 1000 km\/h/,
    );
    const rec = (await sightings.byId(second.sighting.id))!;
    assert.equal(rec.conflictWith, first.sighting.id);
    assert.deepEqual(rec.reasons, ['impossible_travel']);
    assert.equal(rec.verdict, 'suspected_clone');
  });

  it('two scans of one tag at once, in Lagos and in Hamburg: the one judged second sees the first', async () => {
    const uri = await tagOf('AT-ONCE');
    const both = await Promise.all([
      scan(uri, { ...LAGOS, at: SCAN_DAY + 5 * HOUR }),
      scan(uri, { ...HAMBURG, at: SCAN_DAY + 5 * HOUR + 60_000 }),
    ]);
    const caught = both.filter((v) => v.reasons.some((r) => r.code === 'impossible_travel'));
    assert.equal(caught.length, 1, 'scans of one item are judged one after the other');
    const other = both.find((v) => v !== caught[0])!;
    assert.equal((await sightings.byId(caught[0]!.sighting.id))!.conflictWith, other.sighting.id);
  });

  it('a scan arriving late (an offline scanner) is compared with later sightings too', async () => {
    const uri = await tagOf('CLONED');
    // Reported now, scanned in Lagos 30 minutes after the Hamburg scan above.
    const late = await scan(uri, { ...LAGOS, at: SCAN_DAY + HOUR + 30 * 60_000 });
    assert.equal(late.verdict, 'suspected_clone');
    const r = reason(late, 'impossible_travel');
    assert.equal(r.sightings![0].at, '2025-03-01T10:00:00.000Z', 'the Hamburg sighting');
    assert.equal(r.sightings![1].id, late.sighting.id);
  });

  it('once caught in two places, the tag stays suspect: a later, plausible scan still names the pair', async () => {
    const uri = await tagOf('CLONED');
    const v = await scan(uri, { ...HAMBURG, at: SCAN_DAY + 48 * HOUR });
    assert.equal(v.verdict, 'suspected_clone');
    assert.equal(reason(v, 'travel_plausible').result, 'pass');
    const seen = reason(v, 'clone_seen_before');
    assert.equal(seen.sightings![0].lat, 6.52);
    assert.equal(seen.sightings![1].lat, 53.55);
    // Without a location, too.
    assert.equal((await scan(uri, { at: SCAN_DAY + 49 * HOUR })).verdict, 'suspected_clone');
  });

  it('a tag scanned after its bag was sold is a copy; before the sale it was fine', async () => {
    const uri = await tagOf('SOLD');
    const v = await scan(uri);
    assert.equal(v.verdict, 'suspected_clone');
    assert.deepEqual(failures(v), ['scanned_after_sale']);
    const r = reason(v, 'scanned_after_sale');
    assert.equal(r.event?.eventID, SOLD.eventID);
    assert.match(r.detail, /sold to a customer on 2024-06-10T15:30:00.000Z .*retail_selling disposition retail_sold/);
    const earlier = await scan(uri, { at: Date.parse('2024-06-10T12:00:00Z') });
    assert.equal(earlier.verdict, 'genuine', JSON.stringify(earlier.reasons));
  });

  it('a tag scanned after its bag was decommissioned is a copy', async () => {
    const v = await scan(await tagOf('RETIRED'), HAMBURG);
    assert.equal(v.verdict, 'suspected_clone');
    assert.deepEqual(failures(v), ['scanned_after_decommissioning']);
    assert.match(
      reason(v, 'scanned_after_decommissioning').detail,
      /decommissioned on 2024-07-01T10:00:00.000Z .*ObjectEvent DELETE decommissioning disposition inactive/,
    );
  });

  it('speed and distance limits are the verifier’s settings', async () => {
    const strict = new TagVerifier({
      repo: n.repo,
      sightings,
      clients: n.t.node.clients,
      memberRegistry: n.t.node.contracts.memberRegistry,
      maxSpeedKmh: 50,
    });
    const uri = await tagOf('TRAVEL');
    // Hamburg (SCAN_DAY) → Berlin three hours later was plausible at 1000 km/h; at 50 km/h it is not.
    const v = await strict.verifyTag({ uri, scan: { ...BERLIN, at: SCAN_DAY + 3 * HOUR + 60_000 } });
    assert.equal(v.verdict, 'suspected_clone');
    assert.match(reason(v, 'impossible_travel').detail, /more than the plausible 50 km\/h/);
  });
});

describe('routes', () => {
  const get = async (path: string, auth?: string) => {
    const res = await app.request(path, auth ? { headers: { authorization: `Bearer ${auth}` } } : {});
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Json };
  };
  const post = async (body: unknown, auth: string | null = token) => {
    const res = await app.request('/api/v1/tags', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Json };
  };
  const problem = (r: { status: number; type: string | null; body: Json }, status: number, code: string) => {
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.type, 'application/problem+json');
    assert.equal(r.body.type, `${PROBLEM_BASE}${code}`, JSON.stringify(r.body));
    assert.equal(r.body.status, status);
    assert.equal(typeof r.body.detail, 'string');
  };
  const verifyPath = (uri: string, extra = '') => `/api/v1/tags/verify?uri=${encodeURIComponent(uri)}${extra}`;

  it('POST /tags issues with the node’s account (an active member): URI and QR SVG; GET /tags/verify says genuine', async () => {
    problem(await post({ epc: bag('GENUINE') }, null), 401, 'unauthenticated');
    problem(await post({ epc: bag('GENUINE') }, 'wrong'), 401, 'bad_credential');
    const r = await post({ epc: bag('GENUINE') });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.issuer, n.t.node.clients.account.address);
    assert.equal(r.body.epc, bag('GENUINE'));
    assert.match(
      String(r.body.uri),
      /^https:\/\/id\.gs1\.org\/01\/10614141073464\/21\/GENUINE\?iss=0x[0-9a-fA-F]{40}&sig=[\w-]{87}$/,
    );
    assert.match(String(r.body.qrSvg), /^<svg /);
    const v = await get(verifyPath(String(r.body.uri), `&lat=${HAMBURG.lat}&lon=${HAMBURG.lon}&by=kiosk-7`));
    assert.equal(v.status, 200);
    assert.equal(v.body.verdict, 'genuine', JSON.stringify(v.body.reasons));
    assert.equal((v.body.issuer as Json).orgId, 1, 'the founding member');
    assert.equal((v.body.history as unknown[]).length, 3);
    // The brand's resolver and the GTIN + serial form.
    const own = await post({ gtin: '10614141073464', serial: 'GENUINE', base: 'https://aurel.example' });
    assert.equal(own.status, 201);
    assert.match(String(own.body.uri), /^https:\/\/aurel\.example\/01\/10614141073464\/21\/GENUINE\?iss=/);
    assert.equal(own.body.signature, r.body.signature);
  });

  it('POST /tags refuses bad input precisely, and a node whose account is no brand member', async () => {
    problem(await post('nope'), 400, 'bad_json');
    problem(await post({}), 400, 'bad_item');
    problem(await post({ epc: bag('A'), gtin: '10614141073464', serial: 'A' }), 400, 'bad_item');
    problem(await post({ epc: 'sgtin 0614141.107346.A' }), 400, 'bad_item');
    problem(await post({ gtin: '10614141073465', serial: 'A' }), 400, 'invalid_gs1_key');
    problem(await post({ uri: 'https://id.gs1.org/01/10614141073464' }), 400, 'not_an_item');
    problem(await post({ epc: bag('A'), base: 'ftp://x' }), 400, 'bad_base');
    const other = guard(new Hono(), n.t.node.access);
    other.route('/api/v1', tagRoutes({ verifier, brand: stranger }));
    const res = await other.request('/api/v1/tags', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ epc: bag('A') }),
    });
    const body = (await res.json()) as Json;
    assert.equal(res.status, 409);
    assert.equal(body.type, `${PROBLEM_BASE}brand_not_member`);
    assert.equal(body.reason, 'issuer_not_member');
  });

  it('GET /tags/verify answers bad input with RFC 7807 problems, and records nothing for them', async () => {
    const uri = await tagOf('GENUINE');
    const sig = new URL(uri).searchParams.get('sig')!;
    const count = await sightings.count();
    problem(await get('/api/v1/tags/verify'), 400, 'missing_parameter');
    problem(await get(verifyPath('id.gs1.org/01/10614141073464/21/GENUINE')), 400, 'malformed_uri');
    problem(await get(verifyPath('https://aurel.example/bags/classic')), 400, 'not_a_digital_link');
    problem(await get(verifyPath(uri.replace('10614141073464', '10614141073460'))), 400, 'invalid_gs1_key');
    problem(await get(verifyPath(uri.split('?')[0]!)), 400, 'missing_signature');
    problem(await get(verifyPath(uri.replace(sig, sig.slice(1)))), 400, 'bad_signature_format');
    problem(await get(verifyPath(uri.replace(/iss=0x[0-9a-fA-F]{40}/, 'iss=0xdead'))), 400, 'bad_issuer');
    problem(await get(verifyPath(uri, '&lat=91&lon=0')), 400, 'bad_coordinates');
    problem(await get(verifyPath(uri, '&lat=53.5')), 400, 'bad_coordinates');
    problem(await get(verifyPath(uri, '&lat=north&lon=10')), 400, 'bad_coordinates');
    problem(await get(verifyPath(uri, '&lat=10&lon=-181')), 400, 'bad_coordinates');
    // The node takes the time of a scan: a client's clock is not asked.
    problem(await get(verifyPath(uri, '&at=yesterday')), 400, 'client_time_refused');
    problem(await get(verifyPath(uri, `&at=${Date.now() - HOUR}`)), 400, 'client_time_refused');
    problem(await get(verifyPath(uri, `&by=${'x'.repeat(200)}`)), 400, 'bad_scanner');
    const detail = (await get(verifyPath(uri, '&lat=91&lon=0'))).body.detail;
    assert.equal(detail, 'lat must lie in -90…90 degrees, got 91');
    assert.equal(await sightings.count(), count);
  });

  it('poisoning refused: two anonymous scans, Lagos then Hamburg, never make a genuine tag a suspected clone', async () => {
    const uri = await tagOf('POISON');
    const lagos = await get(verifyPath(uri, `&lat=${LAGOS.lat}&lon=${LAGOS.lon}&by=attacker`));
    const hamburg = await get(verifyPath(uri, `&lat=${HAMBURG.lat}&lon=${HAMBURG.lon}&by=attacker`));
    assert.equal(lagos.body.verdict, 'genuine', JSON.stringify(lagos.body.reasons));
    assert.equal(hamburg.body.verdict, 'genuine', JSON.stringify(hamburg.body.reasons));
    assert.ok((hamburg.body.reasons as Json[]).some((r) => r.code === 'unverified_scanner' && r.result === 'warn'));
    // Every later scanner, authenticated or not, still hears genuine; the anonymous rows are labelled unverified.
    const later = await get(verifyPath(uri, `&lat=${BERLIN.lat}&lon=${BERLIN.lon}`), token);
    assert.equal(later.body.verdict, 'genuine', JSON.stringify(later.body.reasons));
    const kept = await sightings.ofItem('https://id.gs1.org/01/10614141073464/21/POISON', 1000);
    assert.deepEqual(
      kept.map((k) => [k.trusted, k.by, k.conflictWith]),
      [
        [true, 'credential:admin-token', null],
        [false, 'attacker', null],
        [false, 'attacker', null],
      ],
    );
  });

  it('two authenticated scanner scans, Lagos then Hamburg (node time), make it a suspected clone', async () => {
    const uri = await tagOf('SCANNER');
    const { token: scanner } = await n.t.node.access.createCredential('shop scanner app', ['tags:scan']);
    const first = await get(verifyPath(uri, `&lat=${LAGOS.lat}&lon=${LAGOS.lon}`), scanner);
    assert.equal(first.body.verdict, 'genuine', JSON.stringify(first.body.reasons));
    const second = await get(verifyPath(uri, `&lat=${HAMBURG.lat}&lon=${HAMBURG.lon}`), scanner);
    assert.equal(second.body.verdict, 'suspected_clone', JSON.stringify(second.body.reasons));
    const travel = (second.body.reasons as Json[]).find((r) => r.code === 'impossible_travel')!;
    assert.ok(travel, 'impossible travel named');
    // The node's clock: the two sightings are seconds apart, not what any client said.
    const rows = await sightings.ofItem('https://id.gs1.org/01/10614141073464/21/SCANNER', 1000);
    assert.ok(rows.every((r) => r.trusted && Math.abs(r.at - Date.now()) < 60_000 && r.by?.startsWith('credential:')));
    // An anonymous scan after that hears it too (it reads, it does not write).
    assert.equal((await get(verifyPath(uri))).body.verdict, 'suspected_clone');
  });

  it('anonymous sightings are bounded per tag', async () => {
    const uri = await tagOf('GENUINE');
    const item = 'https://id.gs1.org/01/10614141073464/21/GENUINE';
    const before = (await sightings.ofItem(item, 100_000)).filter((s) => !s.trusted).length;
    for (let i = 0; i < MAX_ANONYMOUS_SIGHTINGS_PER_ITEM + 5 - before; i++) {
      await verifier.verifyTag({ uri, scan: { by: `anon-${i}` } });
    }
    assert.equal((await sightings.ofItem(item, 100_000)).filter((s) => !s.trusted).length, MAX_ANONYMOUS_SIGHTINGS_PER_ITEM);
  });

  it('GET /tags/{uri}/sightings (admin) lists the scans of the item, whatever URI spelling names it', async () => {
    const uri = await tagOf('CLONED');
    problem(await get(`/api/v1/tags/${encodeURIComponent(uri)}/sightings`), 401, 'unauthenticated');
    const r = await get(`/api/v1/tags/${encodeURIComponent(uri)}/sightings`, token);
    assert.equal(r.status, 200);
    const list = r.body.sightings as Json[];
    assert.equal(r.body.epc, bag('CLONED'));
    assert.ok(list.length >= 4);
    assert.deepEqual(
      list,
      (await sightings.ofItem('https://id.gs1.org/01/10614141073464/21/CLONED', 1000)).map((s) =>
        JSON.parse(JSON.stringify(sightingJson(s))),
      ),
    );
    assert.ok(
      list.some((s) => s.by === 'lagos-market' && s.verdict === 'genuine' && s.lat === LAGOS.lat && s.lon === LAGOS.lon),
      'exact, for the admin',
    );
    assert.ok(
      list.some((s) => s.by === 'hamburg-boutique' && s.verdict === 'suspected_clone' && typeof s.conflictWith === 'number'),
    );
    const byUrn = await get(`/api/v1/tags/${encodeURIComponent(bag('CLONED'))}/sightings?limit=2`, token);
    assert.equal((byUrn.body.sightings as Json[]).length, 2);
    problem(
      await get(`/api/v1/tags/${encodeURIComponent('https://x.example/nothing')}/sightings`, token),
      400,
      'not_a_digital_link',
    );
  });

  it('describes every route it serves in OpenAPI path items for the node document', () => {
    const described = tagOpenApiPaths('/api/v1');
    const routes = app.routes.filter((r) => r.method !== 'ALL');
    assert.equal(routes.length, 3);
    for (const r of routes) {
      const path = r.path.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '');
      assert.ok(described[path]?.[r.method.toLowerCase()], `${r.method} ${path} is described`);
    }
    assert.equal(Object.keys(described).length, 3);
  });

  it('a chain that cannot be reached is a 503 problem, and the scan is not recorded', async () => {
    const down = new TagVerifier({
      repo: n.repo,
      sightings,
      clients: createChainClients({
        rpcUrl: 'http://127.0.0.1:9',
        chainId: 31337,
        signerKey: generatePrivateKey(),
        gasPrice: 0,
        pollingIntervalMs: 50,
        requestTimeoutMs: 500,
      }),
      memberRegistry: n.t.node.contracts.memberRegistry,
    });
    const offline = new Hono();
    offline.route('/api/v1', tagRoutes({ verifier: down }));
    const count = await sightings.count();
    const res = await offline.request(verifyPath(await tagOf('GENUINE')));
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as Json).type, `${PROBLEM_BASE}chain_unavailable`);
    assert.equal(await sightings.count(), count);
    const noBrand = await offline.request('/api/v1/tags', { method: 'POST', body: '{}' });
    assert.equal(noBrand.status, 501);
  });
});
