// Pages are separate chunks, loaded on demand (the verify page a phone opens
// from a QR code does not load the dashboard's charts and map). Loaded here
// rather than with React.lazy + Suspense: React throttles revealing a
// suspended boundary (~300 ms), which would delay every first paint.
import { type ComponentType, useEffect, useReducer } from 'react';
import type { Route } from '../lib/router.js';

type PageName = Exclude<Route['name'], 'not-found'>;

// biome-ignore lint/suspicious/noExplicitAny: each page takes its own props
const loaders: Record<PageName, () => Promise<{ default: ComponentType<any> }>> = {
  overview: () => import('../overview/OverviewPage.js'),
  shipment: () => import('../shipment/ShipmentPage.js'),
  devices: () => import('../devices/DevicesPage.js'),
  members: () => import('../members/MembersPage.js'),
  verify: () => import('../verify/VerifyPage.js'),
};

// biome-ignore lint/suspicious/noExplicitAny: as above
const loaded = new Map<PageName, ComponentType<any>>();
const pending = new Map<PageName, Promise<void>>();

export function loadPage(name: Route['name']): Promise<void> {
  if (name === 'not-found' || loaded.has(name)) return Promise.resolve();
  let p = pending.get(name);
  if (!p) {
    p = loaders[name]().then((m) => {
      loaded.set(name, m.default);
    });
    p.catch(() => pending.delete(name));
    pending.set(name, p);
  }
  return p;
}

/** The page component for a route, or undefined while its chunk loads. */
// biome-ignore lint/suspicious/noExplicitAny: as above
export function usePage(name: Route['name']): ComponentType<any> | undefined {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const page = name === 'not-found' ? undefined : loaded.get(name);
  useEffect(() => {
    if (!page && name !== 'not-found') loadPage(name).then(rerender, rerender);
  }, [name, page]);
  return page;
}
