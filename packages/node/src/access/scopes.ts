// Roles and scopes: what a principal may do, as data. Pure (no I/O).
//
// Machines hold API credentials with explicit scopes; people hold a role, which
// stands for a fixed set of scopes (viewer < operator < admin, each including
// the one below). A route asks for one of a few scopes (policy.ts); a scope may
// be narrowed to one resource with a suffix (`shipments:read:<id>`).

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Every scope a credential can carry (a `:<id>` suffix narrows those marked narrowable). */
export const SCOPES = {
  'log:read': 'read the log, anchors, devices, readings, evidence, metrics and the live feed',
  'shipments:read': 'read shipments, excursions, policies and payouts (`shipments:read:<id>`: one shipment)',
  'shipments:write': 'create shipments and link policies',
  'geofences:write': "add and remove zones of the node-wide and the shipments' geofence sets",
  'documents:write': "add documents to shipments (each is logged, and shared with the shipment's grantees)",
  'epcis:read': 'query EPCIS events and resources, follow capture jobs',
  'epcis:capture': 'capture EPCIS events (POST /epcis/capture, /epcis/events)',
  'epcis:subscribe': 'create and delete named queries and subscriptions',
  'tags:scan': 'scan tags as a trusted scanner: the sighting counts in clone detection',
  'tags:issue': 'issue brand-signed tags',
  'tags:read': "read an item's recorded sightings (where consumers scanned it)",
  'devices:admin': 'register and revoke devices on chain for the node organisation',
  'access:admin': 'manage user accounts and API credentials',
  'alerts:read': "read the alert history (only alerts about what the holder may read) and the holder's own alert subscriptions",
  'alerts:subscribe': 'subscribe to alerts by webhook or e-mail, and unsubscribe (delivered only for what the holder may read)',
  'dcsa:read': 'query DCSA Track & Trace 3.0 events (GET /dcsa/tnt/v3/events)',
  'dcsa:write': "push a publisher's DCSA Track & Trace 3.0 events (POST /dcsa/tnt/v3/events)",
  'commands:send': 'submit signed actuator commands (each still needs its member signatures and authorisation)',
  'commands:read': 'read the command log: each command, its authorisation and its effect',
  'governance:read': 'read consortium governance: voting settings, proposals and votes',
  'governance:vote': "make, vote on, execute and cancel proposals for the node's organisation (admission by vote)",
} as const;
export type Scope = keyof typeof SCOPES;

/** Scopes that may be narrowed to one resource id. */
const NARROWABLE: ReadonlySet<string> = new Set(['shipments:read']);

const VIEWER: Scope[] = [
  'log:read',
  'shipments:read',
  'epcis:read',
  'tags:scan',
  'alerts:read',
  'alerts:subscribe',
  'dcsa:read',
  'governance:read',
];
const OPERATOR: Scope[] = [
  ...VIEWER,
  'commands:read',
  'commands:send',
  'shipments:write',
  'geofences:write',
  'documents:write',
  'epcis:capture',
  'epcis:subscribe',
  'tags:issue',
  'tags:read',
  'dcsa:write',
];
const ADMIN: Scope[] = [...OPERATOR, 'devices:admin', 'access:admin', 'governance:vote'];

export const ROLE_SCOPES: Record<Role, readonly Scope[]> = { viewer: VIEWER, operator: OPERATOR, admin: ADMIN };

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** A scope string as a credential may carry it: a known scope, or a narrowable one with `:<id>`. Returns an error text or null. */
export function scopeError(s: string): string | null {
  if (s in SCOPES) return null;
  const i = s.lastIndexOf(':');
  const base = s.slice(0, i);
  const id = s.slice(i + 1);
  if (i > 0 && NARROWABLE.has(base) && /^[A-Za-z0-9._~-]{1,128}$/.test(id)) return null;
  return `unknown scope "${s}": one of ${Object.keys(SCOPES).join(', ')}, or shipments:read:<shipment id>`;
}

/** A requirement: any one of these scopes; `resource` narrows (`shipments:read` is met by `shipments:read:<resource>` too). */
export interface Need {
  anyOf: readonly Scope[];
  resource?: string;
}

export function satisfies(granted: ReadonlySet<string>, need: Need): boolean {
  for (const s of need.anyOf) {
    if (granted.has(s)) return true;
    if (need.resource !== undefined && NARROWABLE.has(s) && granted.has(`${s}:${need.resource}`)) return true;
  }
  return false;
}
