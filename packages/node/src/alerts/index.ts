// Alerts in a running node: the service, the timer watchers, and what the
// node's other parts report to it (excursions from the shipment monitor, claim
// outcomes from the aggregator). At start it raises whatever the store holds
// that was never raised (a breach recorded while the node stopped before
// raising it): the dedupe keys make that a no-op for everything raised before.
import type { Excursion } from '@tradetwin/core/rules/index';
import type { ClaimOutcome } from '../oracle/claims.js';
import type { AlertStore } from '../storage/alerts.js';
import type { ShipmentStore } from '../storage/shipments.js';
import { claimAlert, excursionAlert, type NewAlert } from './kinds.js';
import { AlertService, type AlertServiceOptions } from './service.js';
import { AlertWatchers, type WatcherOptions, type WatcherSources } from './watchers.js';

export { AlertService } from './service.js';

export interface NodeAlerts {
  service: AlertService;
  watchers: AlertWatchers;
  /** The monitor stored an excursion (new or changed) at `recordedAt`. */
  noteExcursion(x: Excursion, recordedAt: number): void;
  /** A claim came to an outcome. */
  noteClaim(o: ClaimOutcome): void;
  /** Resolves when everything noted so far has been raised (tests, benchmarks). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startAlerts(
  store: AlertStore,
  sources: WatcherSources & { shipments: ShipmentStore },
  opts: AlertServiceOptions & WatcherOptions,
): Promise<NodeAlerts> {
  const service = new AlertService(store, opts).start();
  const now = opts.now ?? Date.now;
  let queue: Promise<unknown> = Promise.resolve();
  let stopped = false;
  // One at a time, in the order noted; a failure is logged (the next start's catch-up raises it).
  // After stop nothing more is taken (the monitor may still report while the node winds down).
  const enqueue = (make: () => Promise<NewAlert | null>) => {
    if (stopped) return;
    queue = queue
      .then(async () => {
        const a = await make();
        if (a) await service.raise(a);
      })
      .catch((err: unknown) => console.error('[alerts] not raised:', err instanceof Error ? err.message : err));
  };
  const shipmentOfPolicy = async (policyId: number) =>
    (await sources.shipments.policies()).find((p) => p.policyId === policyId)?.shipmentId ?? null;

  // Catch-up: breaches and payouts already stored.
  for (const e of await sources.shipments.excursions()) {
    const x = e.record as unknown as Excursion;
    enqueue(async () => excursionAlert(x, e.updatedAt));
  }
  for (const p of await sources.shipments.payouts()) {
    enqueue(async () =>
      claimAlert(
        {
          policyId: p.policyId,
          excursionId: p.excursionId,
          status: 'paid',
          amount: p.amount,
          txHash: p.txHash,
          signers: p.signers.map((s) => ({ oracle: s })),
        },
        await shipmentOfPolicy(p.policyId),
        p.paidAt,
      ),
    );
  }

  const watchers = new AlertWatchers(sources, opts, (a) => service.raise(a), now).start();
  return {
    service,
    watchers,
    noteExcursion: (x, recordedAt) => enqueue(async () => excursionAlert(x, recordedAt)),
    noteClaim: (o) => {
      const at = now();
      enqueue(async () =>
        claimAlert(
          {
            policyId: o.policyId,
            excursionId: o.excursionId,
            status: o.status,
            ...(o.amount !== undefined ? { amount: o.amount.toString() } : {}),
            ...(o.txHash !== undefined ? { txHash: o.txHash } : {}),
            ...(o.detail !== undefined ? { detail: o.detail } : {}),
            signers: o.signers.map((s) => ({ oracle: s.oracle, ...(s.error ? { error: s.error } : {}) })),
          },
          await shipmentOfPolicy(o.policyId),
          at,
        ),
      );
    },
    idle: async () => {
      await queue;
    },
    stop: async () => {
      stopped = true;
      await watchers.stop();
      await queue;
      await service.close();
    },
  };
}
