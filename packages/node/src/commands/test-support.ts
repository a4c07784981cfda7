// Shared set-up of the command tests and benchmark: member organisations
// admitted on the node's MemberRegistry with operator keys, and a shipment
// that names them as parties and lists the device.
import type { DeviceKey } from '@tradetwin/core/device/keys';
import { operatorAccount } from '@tradetwin/core/command/command';
import { admitMembers } from '../test-support/governance.js';
import type { PartyRole } from '../shipments/definition.js';
import type { TestNode } from '../test-support/node-fixture.js';

export interface TestOrg {
  name: string;
  key: Uint8Array;
  roles: number;
  /** Its role in the shipment (none: a member that is no party of it). */
  party?: PartyRole;
}

/** Admits each organisation and stores the shipment; returns account → organisation id (what a device is given). */
export async function commandableShipment(
  t: TestNode,
  shipmentId: string,
  device: DeviceKey,
  orgs: readonly TestOrg[],
): Promise<Map<string, number>> {
  const members = new Map<string, number>();
  // Admitted by vote, proposed together: the node's organisation is their whole electorate.
  const ids = await admitMembers(
    t.node,
    orgs.map((o) => ({ account: operatorAccount(o.key), name: o.name, roles: o.roles })),
  );
  for (const [i, o] of orgs.entries()) members.set(operatorAccount(o.key), ids[i]!);
  await t.node.shipments.putShipment(
    {
      id: shipmentId,
      goods: { description: 'chilled fruit' },
      parties: orgs.flatMap((o) => (o.party ? [{ role: o.party, name: o.name, account: operatorAccount(o.key) }] : [])),
      legs: [],
      devices: [{ deviceId: device.deviceId, from: 0 }],
      rules: [],
    },
    Date.now(),
  );
  return members;
}
