// The app's paths (the node serves index.html for each: node http/dashboard/static.ts APP_PATHS)
// and a history-API router small enough to read in one go.
import { useSyncExternalStore } from 'react';

export type Route =
  | { name: 'overview' }
  | { name: 'shipment'; id: string }
  | { name: 'devices' }
  | { name: 'members' }
  | {
      name: 'verify';
      readingId: string | null;
      bundle: string | null;
      rpc: string | null;
      /** /verify/event/{eventID}: an EPCIS event's proof, fetched from this node. */
      eventId: string | null;
      /** ?event=: an EPCIS event proof as base64url JSON. */
      event: string | null;
    }
  | { name: 'not-found'; path: string };

export function parseRoute(pathname: string, search = ''): Route {
  const q = new URLSearchParams(search);
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'overview' };
  if (path === '/devices') return { name: 'devices' };
  if (path === '/members') return { name: 'members' };
  const ship = /^\/shipments\/([^/]+)$/.exec(path);
  if (ship) return { name: 'shipment', id: safeDecode(ship[1]!) };
  if (path === '/verify' || path.startsWith('/verify/')) {
    const rest = path.length > '/verify/'.length ? path.slice('/verify/'.length) : null;
    const eventId = rest?.startsWith('event/') ? safeDecode(rest.slice('event/'.length)) || null : null;
    const readingId = rest && !rest.startsWith('event/') ? safeDecode(rest) : null;
    return { name: 'verify', readingId, bundle: q.get('bundle'), rpc: q.get('rpc'), eventId, event: q.get('event') };
  }
  return { name: 'not-found', path };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export const paths = {
  overview: () => '/',
  shipment: (id: string) => `/shipments/${encodeURIComponent(id)}`,
  devices: () => '/devices',
  members: () => '/members',
  /** Reading ids are `<leaf>:<position>`; the colon stays readable in the URL. */
  verify: (readingId: string) => `/verify/${readingId}`,
  /** Event IDs (ni:///…?ver=…, urn:uuid:…) are encoded whole. */
  verifyEvent: (eventID: string) => `/verify/event/${encodeURIComponent(eventID)}`,
};

const CHANGE = 'tradetwin:navigate';

export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  window.dispatchEvent(new Event(CHANGE));
  if (!replace) window.scrollTo(0, 0);
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('popstate', cb);
  window.addEventListener(CHANGE, cb);
  return () => {
    window.removeEventListener('popstate', cb);
    window.removeEventListener(CHANGE, cb);
  };
}

const snapshot = () => location.pathname + location.search;

export function useLocation(): string {
  return useSyncExternalStore(subscribe, snapshot);
}

export function useRoute(): Route {
  const loc = useLocation();
  const i = loc.indexOf('?');
  return parseRoute(i < 0 ? loc : loc.slice(0, i), i < 0 ? '' : loc.slice(i));
}
