// Organisations by name wherever an address appears: "Ocean Carrier Ltd
// (0x1234…abcd)"; the address stays whole in JSON.
import type { OrgRefJson } from '../wire/orgs.js';

/** 0x1234…abcd: enough of an address to tell accounts apart in text. */
export function shortAddress(address: string, keep = 4): string {
  return address.length <= 2 + keep * 2 ? address : `${address.slice(0, 2 + keep)}…${address.slice(-keep)}`;
}

/** "Ocean Carrier Ltd (0x1234…abcd)"; the whole address when no name is known. */
export function orgLabel(address: string, name: string | null | undefined): string {
  return name ? `${name} (${shortAddress(address)})` : address;
}

export function orgRef(address: string, org: { orgId: number; name: string } | null): OrgRefJson {
  return {
    address,
    short: shortAddress(address),
    orgId: org?.orgId ?? null,
    name: org?.name ?? null,
    label: orgLabel(address, org?.name),
  };
}
