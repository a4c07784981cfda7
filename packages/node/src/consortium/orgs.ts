// The member organisations of a consortium, in order: the first founds it
// (deploys the contracts). S1 needs the first three: the carrier whose node
// ingests the container's data, the shipper who holds the policy, and the
// insurer who writes it; further members are other parties of the trade, each
// with its own oracle. Pure data.
import { ROLES } from '../chain/members.js';

export interface ConsortiumOrg {
  /** A short name for directories, service names and the table. */
  slug: string;
  name: string;
  /** MemberRegistry role bits. */
  roles: number;
}

const KNOWN: ConsortiumOrg[] = [
  { slug: 'carrier', name: 'Ocean Carrier Ltd', roles: ROLES.CARRIER | ROLES.DEVICE_OWNER | ROLES.ORACLE },
  { slug: 'shipper', name: 'Pharma Manufacturer NV', roles: ROLES.SHIPPER | ROLES.ORACLE },
  { slug: 'insurer', name: 'Cold Chain Insurance plc', roles: ROLES.INSURER | ROLES.ORACLE },
  { slug: 'consignee', name: 'Ministry of Health, Kenya', roles: ROLES.CONSIGNEE | ROLES.ORACLE },
  { slug: 'bank', name: 'Trade Finance Bank', roles: ROLES.FINANCIER | ROLES.ORACLE },
  { slug: 'port', name: 'Port of Mombasa', roles: ROLES.PORT | ROLES.ORACLE },
  { slug: 'customs', name: 'Kenya Revenue Authority', roles: ROLES.CUSTOMS | ROLES.ORACLE },
];

/** Fewest members: a consortium is at least two organisations (S1 needs three). */
export const MIN_ORGS = 2;
/** Most members on one machine or in one generated network (ports, processes, QBFT rounds). */
export const MAX_ORGS = 16;

export class ConsortiumError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsortiumError';
  }
}

/** The first `n` member organisations; past the named ones, "Member organisation 8", … */
export function consortiumOrgs(n: number): ConsortiumOrg[] {
  if (!Number.isSafeInteger(n) || n < MIN_ORGS || n > MAX_ORGS) {
    throw new ConsortiumError(`--orgs must be a whole number from ${MIN_ORGS} to ${MAX_ORGS}, got ${n}`);
  }
  return Array.from(
    { length: n },
    (_, i) => KNOWN[i] ?? { slug: `member${i + 1}`, name: `Member organisation ${i + 1}`, roles: ROLES.ORACLE },
  );
}
