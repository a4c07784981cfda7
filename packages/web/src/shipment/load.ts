// Loading a shipment's state; its series start loading the moment its devices
// are known (before the page renders anything). Small: main.tsx calls it while
// the shipment page's chunk is still downloading.
import { getJson } from '../api/client.js';
import type { ShipmentStateJson } from '@tradetwin/core/wire/shipments';
import { prefetchSeries } from './use-series.js';

export function shipmentPath(id: string): string {
  return `/api/v1/shipments/${encodeURIComponent(id)}`;
}

export async function loadShipmentState(path: string): Promise<ShipmentStateJson> {
  const s = await getJson<ShipmentStateJson>(path);
  prefetchSeries(s.shipment);
  return s;
}
