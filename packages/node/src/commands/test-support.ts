// Shared set-up of the command tests and benchmark: member organisations
// admitted on the node's MemberRegistry with operator keys, and a shipment
// that names them as parties and lists the device.
import type { DeviceKey } from '@tradetwin/core/device/keys';
import { operatorAccount } from '@tradetwin/core/command/command';
import { admitMember } from '../chain/members.js';
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
  for (const o of orgs) {
    const account = operatorAccount(o.key);
    const { orgId } = await admitMember(t.node.clients, t.node.contracts.memberRegistry, {
      account,
      name: o.name,
      roles: o.roles,
    });
    members.set(account, orgId);
  }
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
