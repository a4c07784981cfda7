// Traceability over the EPC graph the repository indexes.
//
// backward: every input, parent (container), location, lot and farm a product came from;
// forward:  every product, lot, pallet, shipment, location and party it reached.
//
// Edges, by event type (an event declared erroneous is skipped, its corrective event counts):
//   TransformationEvent       inputs (EPCs and quantity classes) → outputs; events sharing
//                             a transformationID form one transformation
//   Aggregation/Association   child → parent (ADD, OBSERVE), backward also parent → children
//   TransactionEvent          epcList → parentID; bizTransactions are recorded (shipments, orders)
//   every event               readPoint/bizLocation → locations; sourceList (backward) /
//                             destinationList (forward) → locations and parties
// The walk is time-aware: forward only follows events at or after the moment an
// identifier was reached; backward only events at or before the moment it was
// used, and for a container only those after the traced thing went into it — so
// a reusable container (a truck, a returnable crate) does not leak its other trips
// into a trace. Backward, a container
// reached from something inside it is not opened again (its other contents did
// not contribute to the product). Every hop carries its evidence: the event's
// eventID, CBV hash ID and leaf index in the node's transparency log.
import type { EpcisRepository, EventLinks, GraphHop } from './repository.js';
import { isoTime } from './time.js';
import type { RoleName, StoredEvent } from './types.js';
import { epcKey } from './vocab.js';

export type TraceDirection = 'backward' | 'forward';

export type Relation =
  | 'transformed_into' // forward: input → output
  | 'made_from' // backward: output → input
  | 'packed_into' // child → parent (aggregation / association / transaction)
  | 'contains' // backward: parent → child
  | 'at_location' // readPoint / bizLocation
  | 'shipped_to' // destinationList
  | 'shipped_from' // sourceList
  | 'in_transaction'; // bizTransactionList

export interface TraceEvidence {
  leafIndex: number;
  eventID: string;
  eventHashId: string;
  type: string;
  action: string | null;
  bizStep: string | null;
  eventTime: string;
  readPoint: string | null;
  bizLocation: string | null;
}

export interface TraceHop {
  from: string;
  to: string;
  relation: Relation;
  /** For bizTransaction / source / destination targets: their CBV type. */
  targetType?: string | null;
  leafIndex: number;
}

export interface TraceResult {
  start: string;
  direction: TraceDirection;
  /** Instance EPCs reached (serialised items, assets). */
  items: string[];
  /** EPC classes reached (lots / batches: urn:epc:class:lgtin, patterns). */
  lots: string[];
  /** Containers reached (pallets, cases, shipments: parents of aggregations, associations, transactions). */
  containers: string[];
  transactions: { type: string | null; value: string }[];
  locations: string[];
  parties: { type: string | null; value: string }[];
  hops: TraceHop[];
  /** The events the hops cite, by leaf index. */
  events: TraceEvidence[];
  truncated: boolean;
  stats: { identifiers: number; events: number; ms: number };
}

export interface TraceOptions {
  /** Stop after visiting this many identifiers (the result says truncated). */
  maxIdentifiers?: number;
}

type NodeRole = 'material' | 'container';

interface Visit {
  id: string;
  role: NodeRole;
  /** Only events in [from, until] concern the trace: forward from the moment an identifier
   * was reached; backward until the moment it was used, and for a container from the moment
   * the traced thing went into it. */
  from: number;
  until: number;
}
const INF = Number.POSITIVE_INFINITY;

const INPUT_ROLES = new Set<RoleName>(['input', 'inputQuantity']);
const OUTPUT_ROLES = new Set<RoleName>(['output', 'outputQuantity']);
const CHILD_ROLES = new Set<RoleName>(['child', 'childQuantity']);
const PARTY_TYPES = new Set(['owning_party', 'possessing_party']);

/** EPC classes (lots, GTIN-level classes) in URN or Digital Link form. */
const isClass = (id: string) =>
  id.startsWith('urn:epc:class:') ||
  id.startsWith('urn:epc:idpat:') ||
  /^https:\/\/id\.gs1\.org\/01\/\d{14}(\/10\/[^/]+)?$/.test(id);

export async function trace(
  repo: EpcisRepository,
  from: string,
  direction: TraceDirection,
  opts: TraceOptions = {},
): Promise<TraceResult> {
  const start = epcKey(from, repo.codec);
  const t0 = performance.now();
  const maxIds = opts.maxIdentifiers ?? 20_000;
  const forward = direction === 'forward';
  const linksCache = new Map<number, EventLinks>();
  const linksOf = async (rid: number): Promise<EventLinks> => {
    let l = linksCache.get(rid);
    if (!l) {
      l = await repo.eventLinks(rid);
      linksCache.set(rid, l);
    }
    return l;
  };
  const evidence = new Map<number, TraceEvidence>();
  const cite = (h: GraphHop) => {
    if (!evidence.has(h.leafIndex)) {
      evidence.set(h.leafIndex, {
        leafIndex: h.leafIndex,
        eventID: h.eventId,
        eventHashId: h.hashId,
        type: h.type,
        action: h.action,
        bizStep: h.bizStep,
        eventTime: isoTime(h.eventTime),
        readPoint: h.readPoint,
        bizLocation: h.bizLocation,
      });
    }
    return h.leafIndex;
  };

  const hops: TraceHop[] = [];
  const hopKeys = new Set<string>();
  const addHop = (hop: TraceHop) => {
    const key = `${hop.from}\u0000${hop.to}\u0000${hop.relation}\u0000${hop.leafIndex}`;
    if (hopKeys.has(key)) return;
    hopKeys.add(key);
    hops.push(hop);
  };
  const items = new Set<string>();
  const lots = new Set<string>();
  const containers = new Set<string>();
  const locations = new Set<string>();
  const transactions = new Map<string, { type: string | null; value: string }>();
  const parties = new Map<string, { type: string | null; value: string }>();

  // Widest window seen per identifier and role; a visit inside it adds nothing.
  const seen = new Map<string, { from: number; until: number }>();
  const queue: Visit[] = [{ id: start, role: 'material', from: -INF, until: INF }];
  let truncated = false;
  let visited = 0;

  const enqueue = (v: Visit) => {
    const key = `${v.role}:${v.id}`;
    const prev = seen.get(key);
    if (prev !== undefined && prev.from <= v.from && prev.until >= v.until) return;
    const w = prev
      ? { from: Math.min(prev.from, v.from), until: Math.max(prev.until, v.until) }
      : { from: v.from, until: v.until };
    seen.set(key, w);
    queue.push({ ...v, ...w });
  };
  seen.set(`material:${start}`, { from: -INF, until: INF });

  const hopsCache = new Map<string, GraphHop[]>();
  /** The events of a transformationID (what a transformation hop reads). */
  const groups = new Map<string, StoredEvent[]>();
  const follows = (h: GraphHop) => (forward ? INPUT_ROLES : OUTPUT_ROLES).has(h.role);
  const visitKey = (v: Visit) => `${v.id}\u0000${v.from}\u0000${v.until}`;
  const prefetch = async (round: readonly Visit[]) => {
    // One statement for the whole frontier's hops (each in its time window), one for the links of the events they name.
    const todo = round.filter((v) => !hopsCache.has(visitKey(v)));
    (await repo.hopsMany(todo)).forEach((hs, i) => {
      hopsCache.set(visitKey(todo[i]!), hs);
    });
    const rids = new Set<number>();
    const tids = new Set<string>();
    for (const v of round) {
      for (const h of hopsCache.get(visitKey(v)) ?? []) {
        // Only events the visit will read: inside its window and not declared erroneous.
        if (h.eventTime < v.from || h.eventTime > v.until || h.isDeclaration || h.declaredBy !== null) continue;
        if (!linksCache.has(h.leafIndex)) rids.add(h.leafIndex);
        if (h.transformationId && follows(h) && !groups.has(h.transformationId)) tids.add(h.transformationId);
      }
    }
    // The transformations the round will follow, with the links of all their events.
    for (const [tid, events] of await repo.transformationGroups([...tids])) {
      groups.set(tid, events);
      for (const e of events) if (!linksCache.has(e.leafIndex)) rids.add(e.leafIndex);
    }
    for (const [rid, l] of await repo.eventLinksMany([...rids])) linksCache.set(rid, l);
  };

  let round: Visit[] = [];
  while (queue.length > 0 || round.length > 0) {
    if (round.length === 0) {
      round = queue.splice(0, queue.length).reverse();
      await prefetch(round);
    }
    if (visited >= maxIds) {
      truncated = true;
      break;
    }
    const node = round.pop()!;
    const w = seen.get(`${node.role}:${node.id}`)!;
    if (w.from !== node.from || w.until !== node.until) continue; // superseded by a wider window
    visited++;
    if (node.id !== start) {
      if (node.role === 'container') containers.add(node.id);
      else if (isClass(node.id)) lots.add(node.id);
      else items.add(node.id);
    }
    const hs = hopsCache.get(visitKey(node)) ?? (await repo.hops(node.id, node.from, node.until));
    const transformationsDone = new Set<string>();
    for (const h of hs) {
      if (h.isDeclaration || h.declaredBy !== null) continue; // erroneous: the corrective event speaks instead
      if (h.eventTime < node.from || h.eventTime > node.until) continue;
      const rid = cite(h);
      const links = await linksOf(h.leafIndex);

      // Where the identifier was, and who it went to or came from.
      for (const loc of [h.readPoint, h.bizLocation]) {
        if (loc) {
          locations.add(loc);
          addHop({ from: node.id, to: loc, relation: 'at_location', leafIndex: rid });
        }
      }
      for (const l of links.links) {
        if (l.kind === 'bizTransaction') {
          transactions.set(`${l.type}|${l.value}`, { type: l.type, value: l.value });
          addHop({ from: node.id, to: l.value, relation: 'in_transaction', targetType: l.type, leafIndex: rid });
        } else if ((forward && l.kind === 'destination') || (!forward && l.kind === 'source')) {
          if (l.type && PARTY_TYPES.has(l.type)) parties.set(`${l.type}|${l.value}`, { type: l.type, value: l.value });
          else locations.add(l.value);
          addHop({
            from: node.id,
            to: l.value,
            relation: forward ? 'shipped_to' : 'shipped_from',
            targetType: l.type,
            leafIndex: rid,
          });
        }
      }

      // Transformations: inputs ↔ outputs (all events of one transformationID together).
      if (follows(h)) {
        let group: (GraphHop | StoredEvent)[] = [h];
        if (h.transformationId) {
          if (transformationsDone.has(h.transformationId)) group = [];
          else {
            transformationsDone.add(h.transformationId);
            let members = groups.get(h.transformationId);
            if (!members) {
              members = (await repo.transformationGroups([h.transformationId])).get(h.transformationId) ?? [];
              groups.set(h.transformationId, members);
            }
            group = members
              .map((e) => (e.leafIndex === h.leafIndex ? h : e))
              .filter((e) => !e.isDeclaration && e.declaredBy === null);
          }
        }
        for (const g of group) {
          const cited = 'json' in g ? citeStored(g, evidence) : rid;
          for (const x of (await linksOf(g.leafIndex)).epcs) {
            if (!(forward ? OUTPUT_ROLES : INPUT_ROLES).has(x.role)) continue;
            addHop({ from: node.id, to: x.epc, relation: forward ? 'transformed_into' : 'made_from', leafIndex: cited });
            enqueue({
              id: x.epc,
              role: 'material',
              ...(forward ? { from: g.eventTime, until: INF } : { from: -INF, until: g.eventTime }),
            });
          }
        }
      }

      // Aggregation, association, transaction: child → parent; backward, material also opens parent → children.
      if (h.type === 'AggregationEvent' || h.type === 'AssociationEvent' || h.type === 'TransactionEvent') {
        if (h.action === 'DELETE') continue;
        const childRoles = h.type === 'TransactionEvent' ? new Set<RoleName>(['epc', 'quantity']) : CHILD_ROLES;
        if (childRoles.has(h.role)) {
          for (const x of links.epcs) {
            if (x.role !== 'parent') continue;
            addHop({ from: node.id, to: x.epc, relation: 'packed_into', leafIndex: rid });
            // In the container from this event until it was taken out again (a DELETE naming it).
            const out = await removedAt(hs, x.epc, h, linksOf);
            enqueue({ id: x.epc, role: 'container', from: h.eventTime, until: Math.min(out, forward ? INF : node.until) });
          }
        } else if (h.role === 'parent' && !forward && node.role === 'material') {
          for (const x of links.epcs) {
            if (!childRoles.has(x.role)) continue;
            addHop({ from: node.id, to: x.epc, relation: 'contains', leafIndex: rid });
            enqueue({ id: x.epc, role: 'material', from: -INF, until: node.until });
          }
        }
      }
    }
  }

  return {
    start,
    direction,
    items: [...items].sort(),
    lots: [...lots].sort(),
    containers: [...containers].sort(),
    transactions: [...transactions.values()],
    locations: [...locations].sort(),
    parties: [...parties.values()],
    hops,
    events: [...evidence.values()].sort((a, b) => a.leafIndex - b.leafIndex),
    truncated,
    stats: { identifiers: visited, events: evidence.size, ms: Math.round((performance.now() - t0) * 100) / 100 },
  };
}

/** When the identifier whose hops these are was taken out of `parent` after `put` (a DELETE of the same event type naming both); +∞ if never. */
async function removedAt(
  hs: readonly GraphHop[],
  parent: string,
  put: GraphHop,
  linksOf: (rid: number) => Promise<EventLinks>,
): Promise<number> {
  let at = INF;
  for (const h of hs) {
    if (h.action !== 'DELETE' || h.type !== put.type || h.eventTime < put.eventTime || h.eventTime >= at) continue;
    if (h.isDeclaration || h.declaredBy !== null || h.role === 'parent') continue;
    if ((await linksOf(h.leafIndex)).epcs.some((x) => x.role === 'parent' && x.epc === parent)) at = h.eventTime;
  }
  return at;
}

function citeStored(e: StoredEvent, evidence: Map<number, TraceEvidence>): number {
  const leafIndex = e.leafIndex;
  if (!evidence.has(leafIndex)) {
    {
      const json = JSON.parse(e.json) as Record<string, unknown>;
      const loc = (v: unknown) =>
        v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : null;
      evidence.set(leafIndex, {
        leafIndex,
        eventID: e.eventId,
        eventHashId: e.hashId,
        type: e.type,
        action: typeof json.action === 'string' ? json.action : null,
        bizStep: typeof json.bizStep === 'string' ? json.bizStep : null,
        eventTime: isoTime(e.eventTime),
        readPoint: loc(json.readPoint),
        bizLocation: loc(json.bizLocation),
      });
    }
  }
  return leafIndex;
}
