// Shipment routes: create a twin, read its state derived from evidence
// (latest readings, excursions, policies, payouts), and the evidence package
// oracles of other members re-verify before they attest.
import { Hono } from 'hono';
import type { Address, Hex } from 'viem';
import type { LocationRule, PayoutJson, PolicyJson, Rule, ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import { RuleError, validateRules } from '@tradetwin/core/rules/index';
import type { ChainClients } from '../chain/clients.js';
import type { ChainDirectory } from '../chain/directory.js';
import { ChainError } from '../chain/errors.js';
import { readPolicy } from '../chain/cover.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { ShipmentMonitor } from '../shipments/monitor.js';
import { ShipmentError, type ShipmentDefinition, validateShipment } from '../shipments/definition.js';
import { StoreError } from '../storage/errors.js';
import type { ShipmentStore } from '../storage/shipments.js';
import type { NodeStore } from '../storage/types.js';
import { epcisDocument, type SummaryReading, summariseReadings } from '@tradetwin/core/epcis/index';
import { buildEvidence } from '../proof/evidence.js';
import { readablePayout, readablePolicy } from './readable.js';
import { decodeTelemetryLeaf } from './telemetry-view.js';
import { HttpProblem, intParam } from '../http/problem.js';

export interface ShipmentDeps {
  store: NodeStore;
  log: TransparencyLog;
  shipments: ShipmentStore;
  monitor: ShipmentMonitor;
  clients: ChainClients;
  publisher: Hex;
  /** Token symbols and organisation names from the chain (absent: amounts and accounts stay raw). */
  names?: ChainDirectory;
}

/** Planned, in transit or arrived: by the clock against the planned legs (a position-based status needs geofences). */
export function shipmentStatus(s: ShipmentDefinition, now: number): 'planned' | 'in_transit' | 'arrived' {
  const first = s.legs[0]!.plannedDeparture;
  const last = s.legs[s.legs.length - 1]!.plannedArrival;
  return now < first ? 'planned' : now < last ? 'in_transit' : 'arrived';
}

export function shipmentRoutes(deps: ShipmentDeps): Hono {
  const app = new Hono();

  const state = async (s: ShipmentDefinition): Promise<ShipmentStateJson> => {
    const policies = await deps.shipments.policies(s.id);
    const payouts = (await deps.shipments.payouts()).filter((p) => policies.some((q) => q.policyId === p.policyId));
    const excursions = deps.monitor.excursions(s.id);
    const names = deps.names;
    return {
      // The rules were validated (core/rules) when the shipment was created.
      shipment: { ...s, rules: s.rules as Rule[], locationRules: s.locationRules as LocationRule[] | undefined },
      status: shipmentStatus(s, Date.now()),
      latest: deps.monitor.latest(s.id),
      excursions,
      locationEvents: deps.monitor.locationEvents(s.id),
      breached: excursions.filter((x) => x.breached).length,
      policies: await Promise.all(policies.map((p) => readablePolicy(p, names))),
      payouts: await Promise.all(payouts.map((p) => readablePayout(p, policies, names))),
    };
  };

  app.get('/shipments', async (c) => c.json(await Promise.all((await deps.shipments.shipments()).map(state))));

  app.post('/shipments', async (c) => {
    let def: ShipmentDefinition;
    try {
      def = validateShipment(await c.req.json().catch(() => null), (rules) => validateRules(rules));
    } catch (err) {
      if (err instanceof ShipmentError || err instanceof RuleError) throw new HttpProblem(400, 'bad_shipment', err.message);
      throw err;
    }
    const exists = () => new HttpProblem(409, 'shipment_exists', `shipment ${def.id} exists`);
    if (await deps.shipments.shipment(def.id)) throw exists();
    // Two requests for one id at once: the store refuses the second.
    await deps.shipments.putShipment(def, Date.now()).catch((err) => {
      throw err instanceof StoreError && err.code === 'conflict' ? exists() : err;
    });
    await deps.monitor.watch(def);
    return c.json(await state(def), 201);
  });

  app.get('/shipments/:id', async (c) => {
    const s = await deps.shipments.shipment(c.req.param('id'));
    if (!s) throw new HttpProblem(404, 'unknown_shipment', `no shipment ${c.req.param('id')}`);
    return c.json(await state(s));
  });

  app.get('/shipments/:id/excursions', async (c) => {
    const s = await deps.shipments.shipment(c.req.param('id'));
    if (!s) throw new HttpProblem(404, 'unknown_shipment', `no shipment ${c.req.param('id')}`);
    return c.json(deps.monitor.excursions(s.id));
  });

  app.get('/shipments/:id/location-events', async (c) => {
    const s = await deps.shipments.shipment(c.req.param('id'));
    if (!s) throw new HttpProblem(404, 'unknown_shipment', `no shipment ${c.req.param('id')}`);
    return c.json(deps.monitor.locationEvents(s.id));
  });

  /** Link an on-chain policy to a shipment so its excursions are claimed. */
  app.post('/shipments/:id/policies', async (c) => {
    const s = await deps.shipments.shipment(c.req.param('id'));
    if (!s) throw new HttpProblem(404, 'unknown_shipment', `no shipment ${c.req.param('id')}`);
    const body = (await c.req.json().catch(() => null)) as { cover?: string; policyId?: number } | null;
    if (
      !body ||
      typeof body.cover !== 'string' ||
      !/^0x[0-9a-fA-F]{40}$/.test(body.cover) ||
      !Number.isSafeInteger(body.policyId)
    ) {
      throw new HttpProblem(400, 'bad_policy', 'body must be {"cover": "0x…", "policyId": N}');
    }
    const p = await readPolicy(deps.clients, body.cover as Address, body.policyId!).catch((err: unknown) => {
      if (err instanceof ChainError)
        throw new HttpProblem(404, 'unknown_policy', `policy ${body.policyId} on ${body.cover}: ${err.message}`);
      throw err;
    });
    const terms = JSON.parse(JSON.stringify(p.terms, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as Record<
      string,
      unknown
    >;
    const record = {
      policyId: p.policyId,
      cover: body.cover as Address,
      shipmentId: s.id,
      terms,
      state: p.state === 'none' ? 'offered' : p.state,
    } as const;
    await deps.shipments.putPolicy(record);
    return c.json(await readablePolicy(record, deps.names), 201);
  });

  /** The shipment's telemetry as EPCIS 2.0 sensor events: per window min/max/mean and alarms, each naming the readings (and so the proofs) behind it. */
  app.get('/shipments/:id/epcis', async (c) => {
    const s = await deps.shipments.shipment(c.req.param('id'));
    if (!s) throw new HttpProblem(404, 'unknown_shipment', `no shipment ${c.req.param('id')}`);
    const windowMinutes = intParam(c.req.query('windowMinutes'), 'windowMinutes', 60);
    if (windowMinutes < 1 || windowMinutes > 24 * 60)
      throw new HttpProblem(400, 'bad_parameter', 'windowMinutes must be 1..1440');
    const thresholds: Partial<Record<'temp' | 'rh', { min: number; max: number }>> = {};
    for (const r of s.rules as { kind?: string; sensor?: string; min?: number; max?: number }[]) {
      if (r.kind === 'band' && (r.sensor === 'temp' || r.sensor === 'rh')) thresholds[r.sensor] = { min: r.min!, max: r.max! };
    }
    const events = [];
    for (const a of s.devices) {
      const readings: SummaryReading[] = [];
      for (const row of await deps.store.telemetry({ deviceId: a.deviceId, from: a.from, to: a.to ?? Number.MAX_SAFE_INTEGER })) {
        const leaf = await deps.store.leaf(row.index);
        if (!leaf) continue;
        decodeTelemetryLeaf(leaf.data).readings.forEach((r, pos) => {
          if (r.k !== 'pos' && r.t >= a.from && (a.to === undefined || r.t < a.to))
            readings.push({ ...r, readingId: `${row.index}:${pos}` });
        });
      }
      if (readings.length === 0) continue;
      const gtin = s.goods.gtin;
      events.push(
        ...summariseReadings({
          ...(gtin
            ? { epc: `https://id.gs1.org/01/${gtin}` }
            : { readPoint: `https://tradetwin.dev/devices/${encodeURIComponent(a.deviceId)}` }),
          readings,
          deviceId: a.deviceId,
          windowMs: windowMinutes * 60_000,
          thresholds,
        }),
      );
    }
    return c.json(epcisDocument(events));
  });

  app.get('/policies', async (c) =>
    c.json(
      (await Promise.all((await deps.shipments.policies()).map((p) => readablePolicy(p, deps.names)))) satisfies PolicyJson[],
    ),
  );
  app.get('/payouts', async (c) => {
    const policies = await deps.shipments.policies();
    return c.json(
      (await Promise.all(
        (await deps.shipments.payouts()).map((p) => readablePayout(p, policies, deps.names)),
      )) satisfies PayoutJson[],
    );
  });

  app.get('/evidence', async (c) => {
    const deviceId = c.req.query('deviceId');
    if (!deviceId) throw new HttpProblem(400, 'missing_parameter', 'parameter deviceId is required');
    const from = intParam(c.req.query('from'), 'from');
    const to = intParam(c.req.query('to'), 'to');
    if (to < from) throw new HttpProblem(400, 'bad_range', 'to is before from');
    return c.json(await buildEvidence({ deviceId, from, to }, deps));
  });

  return app;
}
