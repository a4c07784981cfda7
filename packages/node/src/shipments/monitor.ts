// Watches the log for the shipments' devices and keeps each shipment's rule
// evaluation current. Everything it knows comes from the log: at start it
// replays the attached devices' leaves, then it follows each commit, so its
// excursions are exactly what any party replaying the same log would derive.
import { decodeSign1 } from '@tradetwin/core/cose/sign1';
import { decodeLeaf } from '@tradetwin/core/proof/leaf';
import {
  createLocationEvaluator,
  createRuleEvaluator,
  type EvidencedReading,
  type Excursion,
  evidencedReadings,
  type FixTally,
  type LocationEvaluator,
  type LocationEvent,
  type RuleEvaluator,
} from '@tradetwin/core/rules/index';
import { decodePayload, type Reading } from '@tradetwin/core/telemetry/payload';
import type { CommittedBatch } from '../ingest/pipeline.js';
import type { NodeStore } from '../storage/types.js';
import { attachedAt, type ShipmentDefinition } from './definition.js';
import type { ShipmentStore } from '../storage/shipments.js';
import type { GeofenceSets } from './geofences.js';

export interface MonitorEvents {
  /** An excursion appeared or changed (grew, closed, breached). */
  onExcursion?: (x: Excursion, shipment: ShipmentDefinition) => void;
  /**
   * A location event (geofence stay, corridor deviation, unscheduled stop) appeared or changed.
   * They are not stored: replaying the log at start derives them again (and reports each once more).
   */
  onLocationEvent?: (e: LocationEvent, shipment: ShipmentDefinition) => void;
}

interface Watched {
  def: ShipmentDefinition;
  evaluator: RuleEvaluator;
  /** The shipment's location rules over the same readings (fixes only); null when it has none. */
  locator: LocationEvaluator | null;
  /** Serialised location events as last reported, to report only changes. */
  knownLocation: Map<string, string>;
  /** Last reading per kind, for the twin's current state. */
  latest: Map<string, Reading & { deviceId: string; readingId: string }>;
  /** Serialised excursions as last stored, to store only changes. */
  known: Map<string, string>;
}

export class ShipmentMonitor {
  private readonly watched = new Map<string, Watched>();
  /** Devices attached to any watched shipment: the commit filter on the ingest path. */
  private readonly watchedDevices = new Set<string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: NodeStore,
    private readonly shipments: ShipmentStore,
    private readonly events: MonitorEvents = {},
    private readonly now: () => number = Date.now,
    /** The node's geofence sets: each shipment's location rules include them (absent: the definitions' rules only). */
    private readonly geofences?: GeofenceSets,
  ) {}

  /** Load every shipment and replay its devices' readings from the log. */
  async start(): Promise<void> {
    for (const def of await this.shipments.shipments()) await this.watch(def);
  }

  /** Start following a (new) shipment: replays what the log already holds for it. */
  async watch(def: ShipmentDefinition): Promise<void> {
    const locationRules = [...(def.locationRules ?? []), ...((await this.geofences?.rulesFor(def.id)) ?? [])];
    const w: Watched = {
      def,
      evaluator: createRuleEvaluator({ shipmentId: def.id, rules: def.rules, devices: def.devices.map((d) => d.deviceId) }),
      locator: locationRules.length
        ? createLocationEvaluator({
            shipmentId: def.id,
            rules: locationRules,
            devices: [...new Set(def.devices.map((d) => d.deviceId))],
          })
        : null,
      knownLocation: new Map(),
      latest: new Map(),
      known: new Map((await this.shipments.excursions(def.id)).map((e) => [e.id, JSON.stringify(e.record)])),
    };
    this.watched.set(def.id, w);
    for (const a of def.devices) this.watchedDevices.add(a.deviceId);
    for (const a of def.devices) {
      const rows = await this.store.telemetry({ deviceId: a.deviceId, from: a.from, to: a.to ?? Number.MAX_SAFE_INTEGER });
      const readings: EvidencedReading[] = [];
      for (const row of rows) {
        const leaf = await this.store.leaf(row.index);
        if (leaf)
          readings.push(
            ...this.readingsOf(decodeLeaf(leaf.data).body, row.index).filter((r) => attachedAt(def, r.deviceId, r.t)),
          );
      }
      this.push(w, readings);
    }
    await this.persist(w);
  }

  /**
   * A geofence set changed: evaluate the shipment (none given: every shipment) again from the log, in the
   * commit queue so no commit is evaluated twice or missed. Its location events are reported again.
   */
  rewatch(shipmentId?: string): Promise<void> {
    const run = this.queue.then(async () => {
      for (const w of [...this.watched.values()])
        if (shipmentId === undefined || w.def.id === shipmentId) await this.watch(w.def);
    });
    this.queue = run.catch((err: unknown) => console.error('[monitor]', err));
    return run;
  }

  /** Follow one ingest commit (called from the ingest pipeline's onCommit; work is queued, never blocks ingest). */
  noteCommitted(batch: CommittedBatch): void {
    // Runs on the ingest thread after every commit: nothing to allocate while no shipment watches a device.
    if (this.watchedDevices.size === 0) return;
    const relevant = batch.accepted
      .map((m, i) => ({ m, envelope: batch.envelopes[i]! }))
      .filter(({ m }) => this.watchedDevices.has(m.deviceId));
    if (relevant.length === 0) return;
    this.queue = this.queue
      .then(async () => {
        // Decode each envelope once, then hand every shipment the readings its attachments cover.
        const readings = relevant.flatMap(({ m, envelope }) => this.readingsOf(envelope, m.index));
        const touched = new Set<Watched>();
        for (const w of this.watched.values()) {
          const mine = readings.filter((r) => attachedAt(w.def, r.deviceId, r.t));
          if (mine.length > 0) {
            this.push(w, mine);
            touched.add(w);
          }
        }
        for (const w of touched) await this.persist(w);
      })
      .catch((err: unknown) => console.error('[monitor]', err));
  }

  /** Wait until every queued commit has been evaluated (tests, demo). */
  idle(): Promise<void> {
    return this.queue;
  }

  excursions(shipmentId: string): Excursion[] {
    return this.watched.get(shipmentId)?.evaluator.excursions() ?? [];
  }

  /** The shipment's location events (geofence stays, corridor deviations, unscheduled stops), derived from the log. */
  locationEvents(shipmentId: string): LocationEvent[] {
    return this.watched.get(shipmentId)?.locator?.events() ?? [];
  }

  /** How the location rules' noise filter treated each device's fixes (believed, jumps, inaccurate). */
  locationTallies(shipmentId: string): FixTally[] {
    return this.watched.get(shipmentId)?.locator?.tallies() ?? [];
  }

  /** Every watched shipment with its location events (the DCSA deriver's start). */
  allLocationEvents(): { def: ShipmentDefinition; events: LocationEvent[] }[] {
    return [...this.watched.values()].map((w) => ({ def: w.def, events: w.locator?.events() ?? [] }));
  }

  /** The twin's current readings: the latest value of each kind. */
  latest(shipmentId: string): Record<string, Reading & { deviceId: string; readingId: string }> {
    return Object.fromEntries(this.watched.get(shipmentId)?.latest ?? []);
  }

  private readingsOf(envelope: Uint8Array, leafIndex: number): EvidencedReading[] {
    return evidencedReadings(decodePayload(decodeSign1(envelope).payload), leafIndex);
  }

  private push(w: Watched, readings: EvidencedReading[]): void {
    if (readings.length === 0) return;
    w.evaluator.push(readings);
    // Fixes carry the receiver's accuracy (`acc`) when the device reports it; other kinds are ignored there.
    w.locator?.push(readings);
    for (const r of readings) {
      const cur = w.latest.get(r.k);
      if (!cur || r.t >= cur.t) w.latest.set(r.k, { ...r });
    }
  }

  private async persist(w: Watched): Promise<void> {
    for (const x of w.evaluator.excursions()) {
      const text = JSON.stringify(x);
      if (w.known.get(x.id) === text) continue;
      w.known.set(x.id, text);
      await this.shipments.putExcursion({
        id: x.id,
        shipmentId: w.def.id,
        record: x as unknown as Record<string, unknown>,
        updatedAt: this.now(),
      });
      this.events.onExcursion?.(x, w.def);
    }
    for (const e of w.locator?.events() ?? []) {
      const text = JSON.stringify(e);
      if (w.knownLocation.get(e.id) === text) continue;
      w.knownLocation.set(e.id, text);
      this.events.onLocationEvent?.(e, w.def);
    }
  }
}
