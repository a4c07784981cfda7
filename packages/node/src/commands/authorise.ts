// Who may command a device, and when a second organisation must co-sign. Pure:
// the facts (signers' organisations, the device's owner, the shipment's
// parties, the setpoint in force) are looked up by the service.
//
// A signer's organisation may command a device for a shipment when it owns the
// device (DeviceRegistry) or is a party of the shipment (a party whose chain
// account belongs to it). A change is safety-relevant when it moves the
// setpoint by more than `setpointStepC` from the one in force (or no setpoint
// is known to be in force), or its action kind is listed in `alwaysCosign`
// (e.g. a valve): then a second, different authorised organisation must sign.
import type { CommandAction, VerifiedCommand } from '@tradetwin/core/command/command';
import type { CommandAuthorisation } from '../storage/commands.js';
import { CommandRefusal } from './errors.js';

export interface CosignPolicy {
  /** A setpoint move larger than this (°C) needs a co-signature. */
  setpointStepC: number;
  /** Action kinds that always need one. */
  alwaysCosign: readonly CommandAction['kind'][];
}

export const DEFAULT_COSIGN_POLICY: CosignPolicy = { setpointStepC: 2, alwaysCosign: ['valve'] };

export interface AuthorisationFacts {
  /** Each signer account's organisation (null: no member's account, or the member is suspended). */
  orgOfAccount: ReadonlyMap<string, number | null>;
  deviceOwnerOrg: number;
  /** The shipment's parties whose accounts belong to a member: role and organisation. */
  parties: readonly { role: string; orgId: number }[];
  /** The setpoint the device last reported applied (null: none known). */
  setpointInForce: number | null;
}

/** Why this command needs a co-signature, or null when it does not; always the rule applied. */
export function cosignRule(
  a: CommandAction,
  setpointInForce: number | null,
  policy: CosignPolicy,
): { required: boolean; rule: string } {
  if (policy.alwaysCosign.includes(a.kind)) return { required: true, rule: `${a.kind} commands always need a co-signature` };
  if (a.kind !== 'setpoint') return { required: false, rule: `${a.kind} commands need one signature` };
  if (setpointInForce === null)
    return { required: true, rule: 'no setpoint known to be in force: a first setpoint needs a co-signature' };
  const step = Math.abs(a.celsius - setpointInForce);
  return step > policy.setpointStepC
    ? { required: true, rule: `setpoint move ${round(step)} °C > ${policy.setpointStepC} °C needs a co-signature` }
    : { required: false, rule: `setpoint move ${round(step)} °C ≤ ${policy.setpointStepC} °C` };
}

const round = (x: number) => Math.round(x * 100) / 100;

/** The authorisation record, or a CommandRefusal ('unauthorised' / 'cosignature_required'). */
export function authoriseCommand(cmd: VerifiedCommand, facts: AuthorisationFacts, policy: CosignPolicy): CommandAuthorisation {
  const standing = (account: string) => {
    const orgId = facts.orgOfAccount.get(account) ?? null;
    if (orgId === null)
      throw new CommandRefusal('unauthorised', `${account} is not the account of an active member organisation`);
    if (orgId === facts.deviceOwnerOrg) return { account, orgId, as: 'device owner' };
    const party = facts.parties.find((p) => p.orgId === orgId);
    if (party) return { account, orgId, as: `${party.role} of ${cmd.payload.shipment}` };
    throw new CommandRefusal(
      'unauthorised',
      `organisation ${orgId} (${account}) neither owns ${cmd.payload.device} nor is a party of ${cmd.payload.shipment}`,
    );
  };
  const [issuerSig, cosignerSig] = cmd.signatures;
  const issuer = standing(issuerSig!.account);
  const cosigner = cosignerSig ? standing(cosignerSig.account) : null;
  if (cosigner && cosigner.orgId === issuer.orgId)
    throw new CommandRefusal('unauthorised', `the co-signature is from the issuer's own organisation ${issuer.orgId}`);
  const { required, rule } = cosignRule(cmd.payload.action, facts.setpointInForce, policy);
  if (required && !cosigner)
    throw new CommandRefusal('cosignature_required', `${rule}: a second authorised organisation must co-sign`);
  return { issuer, cosigner, cosignatureRequired: required, rule };
}
