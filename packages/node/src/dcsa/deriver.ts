// The node's own DCSA events, derived as its evidence arrives: excursions the
// shipment monitor reports (and, at start, those already stored), and EPCIS
// events in the log (a follower with its own cursor, `derive_epcis_cursor`, in
// the DCSA index's meta — so EPCIS events captured while the node was down, or
// before this area existed, are derived at the next start). Work runs one step
// at a time; a failure is logged and retried at the next notice or start.
import type { Excursion, LocationEvent } from '@tradetwin/core/rules/index';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import { decodeEpcisBody, LEAF_KIND as EPCIS_LEAF_KIND } from '../epcis/repository.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import type { ShipmentDefinition } from '../shipments/definition.js';
import type { ShipmentStore } from '../storage/shipments.js';
import type { NodeStore } from '../storage/types.js';
import { type DerivingNode, eventFromExcursion, eventsFromEpcis, eventsFromLocationEvent } from './derive.js';
import type { DcsaRepository } from './repository.js';
import type { TntEvent } from './validate.js';
import { derivedEventProblems } from './validate.js';

const EPCIS_CURSOR = 'derive_epcis_cursor';

export interface DcsaDeriverOptions {
  node: DerivingNode;
  log: TransparencyLog;
  store: NodeStore;
  shipments: ShipmentStore;
  /** Location events the monitor derived before the deriver started (they are not stored: the monitor replays them). */
  locationEvents?: () => { def: ShipmentDefinition; events: LocationEvent[] }[];
  onError?: (err: unknown) => void;
}

export class DcsaDeriver {
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly repo: DcsaRepository,
    private readonly opts: DcsaDeriverOptions,
  ) {}

  /** Derive from the excursions already stored and the EPCIS leaves past the cursor (in the background). */
  start(): this {
    this.enqueue(async () => {
      const defs = new Map<string, ShipmentDefinition | null>();
      for (const e of await this.opts.shipments.excursions()) {
        const x = e.record as unknown as Excursion;
        if (!defs.has(x.shipmentId)) defs.set(x.shipmentId, await this.opts.shipments.shipment(x.shipmentId));
        const s = defs.get(x.shipmentId);
        if (s) await this.append([eventFromExcursion(x, s, this.opts.node)]);
      }
      for (const { def, events } of this.opts.locationEvents?.() ?? [])
        await this.append(events.flatMap((e) => eventsFromLocationEvent(e, def, this.opts.node)));
    });
    this.noteEpcis();
    return this;
  }

  /** The monitor recorded an excursion (new or changed). */
  noteExcursion(x: Excursion, s: ShipmentDefinition): void {
    this.enqueue(() => this.append([eventFromExcursion(x, s, this.opts.node)]));
  }

  /** The monitor derived a location event (new or changed): geofence crossings at a UN/LOCODE become ARRI/DEPA. */
  noteLocationEvent(e: LocationEvent, s: ShipmentDefinition): void {
    this.enqueue(() => this.append(eventsFromLocationEvent(e, s, this.opts.node)));
  }

  /** EPCIS events were appended to the log: derive from the new ones. */
  noteEpcis(): void {
    this.enqueue(() => this.scanEpcis());
  }

  /** Resolves when everything noted so far is derived (tests). */
  async idle(): Promise<void> {
    for (let q = this.queue; ; q = this.queue) {
      await q;
      if (q === this.queue) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  private enqueue(step: () => Promise<void>): void {
    if (this.stopped) return;
    this.queue = this.queue.then(step).catch((err: unknown) => this.opts.onError?.(err));
  }

  private async append(events: (TntEvent | null)[]): Promise<void> {
    const valid = events.filter((e): e is TntEvent => e !== null);
    for (const e of valid) {
      // A derivation that breaks the spec is the node's bug: refuse it loudly rather than publish it.
      const problems = derivedEventProblems(e);
      if (problems.length > 0)
        throw new Error(`derived DCSA event ${String(e.eventID)} does not validate: ${JSON.stringify(problems)}`);
    }
    if (valid.length > 0) await this.repo.appendDerived(valid);
  }

  private async scanEpcis(): Promise<void> {
    const end = this.opts.log.size;
    let cursor = Number((await this.repo.index.meta(EPCIS_CURSOR)) ?? 0);
    while (cursor < end && !this.stopped) {
      const to = Math.min(cursor + 2048, end);
      const derived: TntEvent[] = [];
      for (const leaf of await this.opts.store.leaves(cursor, to)) {
        const rec = decodeLeaf(leaf.data);
        if (rec.kind !== EPCIS_LEAF_KIND) continue;
        const { hashId, json } = decodeEpcisBody(rec.body);
        derived.push(
          ...eventsFromEpcis(JSON.parse(json) as Record<string, unknown>, { leafIndex: leaf.index, hashId }, this.opts.node),
        );
      }
      await this.append(derived);
      await this.repo.index.setMeta(EPCIS_CURSOR, String(to));
      cursor = to;
    }
  }
}
