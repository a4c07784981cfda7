// An account shown as the organisation it belongs to: "Ocean Carrier Ltd
// (0x1234…abcd)", the whole address on hover and in data-address. The name
// comes from the node's API (OrgRefJson) or, failing that, from the
// MemberRegistry read in this browser.
import { useEffect, useState } from 'react';
import { shortAddress } from '@tradetwin/core/names/org';
import type { OrgRefJson } from '@tradetwin/core/wire/orgs';
import type { Hex } from '@tradetwin/core/wire/status';
import { useChain } from '../api/hooks.js';
import type { MemberOrg } from '../chain/members.js';

const directories = new Map<string, Promise<Map<string, MemberOrg>>>();

/** Every member's accounts, by lower-case address; read once per chain endpoint and registry. */
function directory(rpcUrl: string, registry: Hex): Promise<Map<string, MemberOrg>> {
  const key = `${rpcUrl} ${registry.toLowerCase()}`;
  let p = directories.get(key);
  if (!p) {
    p = import('../chain/members.js')
      .then((m) => m.readMembers(rpcUrl, registry))
      .then((orgs) => new Map(orgs.flatMap((o) => o.accounts.map((a) => [a.toLowerCase(), o] as const))));
    p.catch(() => directories.delete(key));
    directories.set(key, p);
  }
  return p;
}

/** The member organisation of an account as the chain at rpcUrl has it (undefined while unknown). */
export function useOrgAt(
  address: string | null | undefined,
  known: boolean,
  rpcUrl: string | undefined,
  reg: Hex | undefined,
): MemberOrg | null | undefined {
  const [org, setOrg] = useState<MemberOrg | null>();
  useEffect(() => {
    if (!address || known || !rpcUrl || !reg) return;
    let live = true;
    directory(rpcUrl, reg).then(
      (d) => live && setOrg(d.get(address.toLowerCase()) ?? null),
      () => live && setOrg(null),
    );
    return () => {
      live = false;
    };
  }, [address, known, rpcUrl, reg]);
  return org;
}

/** On the dashboard (a member's session): the chain this node reports in its status. */
export function OrgName({
  address,
  org,
  fallbackName,
  testId,
}: {
  address: string;
  org?: OrgRefJson | null;
  /** What to call it when the chain names no organisation (a shipment party's name as written). */
  fallbackName?: string;
  testId?: string;
}) {
  const chain = useChain();
  const fromChain = useOrgAt(address, Boolean(org?.name), chain?.rpcUrl, chain?.status.chain.memberRegistry);
  return <OrgLabel address={address} name={org?.name ?? fromChain?.name ?? fallbackName ?? null} testId={testId} />;
}

/** On the public verify page: the chain named explicitly (the node's status is members' data). */
export function OrgNameAt({
  address,
  rpcUrl,
  registry,
  testId,
}: {
  address: string;
  rpcUrl?: string;
  registry?: Hex;
  testId?: string;
}) {
  const org = useOrgAt(address, false, rpcUrl, registry);
  return <OrgLabel address={address} name={org?.name ?? null} testId={testId} />;
}

function OrgLabel({ address, name, testId }: { address: string; name: string | null; testId?: string }) {
  return (
    <span className="org" title={address} data-address={address} data-testid={testId} data-org-name={name ?? ''}>
      {name ? (
        <>
          {name} <span className="muted mono small">({shortAddress(address)})</span>
        </>
      ) : (
        <span className="hash">{address}</span>
      )}
    </span>
  );
}
